/**
 * Runs once when the server starts (Next's instrumentation hook): background work of the Node
 * server. Today: the retention sweep (lib/retention, README "Retention"), only when
 * LOGSCOPE_RETENTION has rules.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const [{ startRetentionOnce }, { getStore }] = await Promise.all([import('./lib/retention/sweeper'), import('./lib/store/instance')]);
  startRetentionOnce(getStore);
}
