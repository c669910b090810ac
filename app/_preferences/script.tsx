import { PREFERENCES_SCRIPT } from '@/lib/viewer/preferences';
import { cspNonce } from '@/app/_first-screen/script';

/**
 * In `<head>`, before the body is parsed: marks `<html>` with the stored theme and wrap
 * preference (lib/viewer/preferences.ts), so the first paint, the server-rendered first screen
 * included, already has the user's theme: no flash of the other one, before or after hydration.
 * Static code, no data; it carries the response's CSP nonce like the page's other scripts.
 */
export async function PreferencesScript() {
  const nonce = await cspNonce();
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: PREFERENCES_SCRIPT }} />;
}
