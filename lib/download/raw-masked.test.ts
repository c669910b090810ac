import { describe, expect, it } from 'vitest';
import { MAX_RAW_PENDING_CHARS, maskRawLine, maskedRawChunks } from './raw-masked';

async function collect(chunks: string[], masks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of maskedRawChunks((async function* () { yield* chunks; })(), masks)) out.push(chunk);
  return out;
}

describe('raw download masking', () => {
  const secret = 'hunter2-SECRET';

  it('masks a secret in the raw text and keeps the line escapes around it', () => {
    expect(maskRawLine(`\x1b[31mtoken ${secret}\x1b[0m\r`, [secret])).toBe('\x1b[31mtoken ***\x1b[0m\r');
  });

  it('serves a line whose secret only its shown text holds as that text, masked', () => {
    // split by a colour code
    expect(maskRawLine(`x hunter2-\x1b[1mSECRET\x1b[0m y`, [secret])).toBe('x *** y');
    // assembled by a carriage return: the raw bytes hold "hunter2-SECRET" nowhere
    expect(maskRawLine(`zzzzzzz-SECRET\rhunter2`, [secret])).toBe('***');
  });

  it('leaves lines without masks, or with no mask in them, unchanged', () => {
    expect(maskRawLine('\x1b[2K\rprogress 50%', [])).toBe('\x1b[2K\rprogress 50%');
    expect(maskRawLine('\x1b[1A\x1b[2Kpull done', [secret])).toBe('\x1b[1A\x1b[2Kpull done');
  });

  it('re-cuts chunks at line ends so a secret split between two store chunks is masked', async () => {
    const out = await collect([`one\nhunter2`, `-SECRET two\nthree`, `\n`], [secret]);
    expect(out.join('')).toBe('one\n*** two\nthree\n');
    expect(out.join('')).not.toContain('SECRET');
  });

  it('ends a text without a final LF as it is, and bounds what it holds without a LF', async () => {
    expect((await collect(['a\nb'], [])).join('')).toBe('a\nb');
    const long = 'x'.repeat(MAX_RAW_PENDING_CHARS);
    const out = await collect([long, 'tail\n'], []);
    expect(out[0]).toBe(long);
    expect(out.join('')).toBe(`${long}tail\n`);
  });
});
