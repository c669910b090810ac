import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeWhenReady } from './clipboard';

/** A fake async clipboard: `write` takes ClipboardItems (or refuses), `writeText` takes text (or refuses). */
function fakeClipboard(opts: { write?: 'ok' | 'refuse' | 'absent'; writeText?: 'ok' | 'refuse' }) {
  const got: string[] = [];
  const clipboard: Partial<Clipboard> = {
    writeText: async (text: string) => {
      if (opts.writeText === 'refuse') throw new DOMException('denied', 'NotAllowedError');
      got.push(`writeText:${text}`);
    },
  };
  if (opts.write !== 'absent') {
    clipboard.write = async (items: ClipboardItems) => {
      if (opts.write === 'refuse') throw new DOMException('denied', 'NotAllowedError');
      const blob = await (items[0] as unknown as FakeItem).data['text/plain']!;
      got.push(`write:${await blob.text()}`);
    };
  }
  vi.stubGlobal('navigator', { clipboard });
  return got;
}

class FakeItem {
  constructor(readonly data: Record<string, Promise<Blob>>) {}
}

afterEach(() => vi.unstubAllGlobals());

const text = (s: string) => Promise.resolve(new Blob([s], { type: 'text/plain' }));

describe('writeWhenReady', () => {
  it('writes a promised Blob through ClipboardItem, started at once', async () => {
    vi.stubGlobal('ClipboardItem', FakeItem);
    const got = fakeClipboard({ write: 'ok' });
    expect(await writeWhenReady(text('a\nb\n'))).toBe('written');
    expect(got).toEqual(['write:a\nb\n']);
  });

  it('falls back to writeText when the write is refused', async () => {
    vi.stubGlobal('ClipboardItem', FakeItem);
    const got = fakeClipboard({ write: 'refuse' });
    expect(await writeWhenReady(text('x'))).toBe('written');
    expect(got).toEqual(['writeText:x']);
  });

  it('uses writeText where there is no ClipboardItem', async () => {
    const got = fakeClipboard({ write: 'absent' });
    expect(await writeWhenReady(text('y'))).toBe('written');
    expect(got).toEqual(['writeText:y']);
  });

  it('says a fresh click is needed when every write is refused', async () => {
    vi.stubGlobal('ClipboardItem', FakeItem);
    const got = fakeClipboard({ write: 'refuse', writeText: 'refuse' });
    expect(await writeWhenReady(text('z'))).toBe('needs-gesture');
    expect(got).toEqual([]);
  });

  it('rejects with the text’s own error (cancelled, too big) and writes nothing', async () => {
    vi.stubGlobal('ClipboardItem', FakeItem);
    const got = fakeClipboard({ write: 'ok' });
    const failure = new Error('too big');
    await expect(writeWhenReady(Promise.reject(failure))).rejects.toBe(failure);
    expect(got).toEqual([]);
  });
});
