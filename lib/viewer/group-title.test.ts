import { describe, expect, it } from 'vitest';
import { groupTitle, isClosingMarker } from './group-title';

describe('groupTitle', () => {
  const table: [string, string | undefined, string][] = [
    ['deps', undefined, 'deps'],
    ['deps', '::group::deps', 'deps'],
    ['deps', '##[group]deps', 'deps'],
    ['Build', '--- Build', 'Build'],
    ['Build', '~~~ Build', 'Build'],
    ['quiet', 'Quiet section', 'Quiet section'],
    ['after_script', '\u001b[0Ksection_start:1522927514:after_script', 'after_script'],
    ['install', 'travis_fold:start:install', 'install'],
    ['quiet', '\u001b[36;1mFetching\u001b[0m', 'Fetching'],
    ['quiet', '   ', 'quiet'],
    ['q', 'x'.repeat(400), `${'x'.repeat(300)}…`],
    ['<b>', '<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
  ];
  it.each(table)('%s + %j → %s', (name, text, want) => expect(groupTitle(name, text)).toBe(want));
});

describe('isClosingMarker', () => {
  const table: [string, boolean][] = [
    ['::endgroup::', true],
    ['##[endgroup]', true],
    ['\u001b[0Ksection_end:1522927514:build_script', true],
    ['travis_fold:end:install', true],
    ['::group::x', false],
    ['echo ::endgroup::', false],
    ['section_end: not a marker', false],
  ];
  it.each(table)('%j → %s', (text, want) => expect(isClosingMarker(text)).toBe(want));
});
