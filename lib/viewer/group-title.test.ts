import { describe, expect, it } from 'vitest';
import { groupTitle } from './group-title';

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
