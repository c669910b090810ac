/*
 * Putting text on the clipboard that is still being fetched when the user clicks.
 *
 * Browsers let a page write the clipboard only shortly after a user gesture (Chromium:
 * transient activation, ~5 s), and a big copy takes longer than that to fetch. So the write
 * is started inside the click, with the text still a promise:
 * `navigator.clipboard.write([new ClipboardItem({'text/plain': promiseOfBlob})])` — Chromium and
 * Safari keep the click's permission for as long as the promise takes. A rejected promise (the
 * copy was cancelled, failed or too big) leaves the clipboard as it was.
 *
 * Where that is not available (no ClipboardItem, or one that refuses a promise), the text is
 * awaited and written with `writeText`; should the browser refuse by then (the gesture
 * expired), the caller is told `needs-gesture` and offers a "Copy now" button, whose click
 * writes the text already in hand (`writeTextNow`, which also covers a page without the async
 * clipboard API: plain http on another host, through a selected textarea and `execCommand`).
 */

export type ClipboardOutcome = 'written' | 'needs-gesture';

/** Must be called synchronously in the click handler; resolves once the clipboard holds the text. */
export async function writeWhenReady(text: Promise<Blob>): Promise<ClipboardOutcome> {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  if (clipboard && typeof clipboard.write === 'function' && typeof ClipboardItem === 'function') {
    let written: Promise<void> | null = null;
    try {
      written = clipboard.write([new ClipboardItem({ 'text/plain': text })]);
    } catch {
      // a ClipboardItem that takes no promise: the fallback below
    }
    if (written) {
      try {
        await written;
        return 'written';
      } catch {
        // the text failed (awaited below, it rejects again: the caller reports it), or the
        // browser refused the write (permission, focus): the plain way below
      }
    }
  }
  const blob = await text;
  if (!clipboard || typeof clipboard.writeText !== 'function') return 'needs-gesture';
  try {
    await clipboard.writeText(await blob.text());
    return 'written';
  } catch {
    return 'needs-gesture';
  }
}

/** Writes text in a fresh click (the "Copy now" button); false when the browser refuses. */
export async function writeTextNow(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused: try the selection below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  try {
    area.select();
    // the only way to copy without the async clipboard API (insecure origins); deprecated, still supported
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}
