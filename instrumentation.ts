/**
 * Runs once when the server starts (Next's instrumentation hook):
 * - logs who may read what (README "Access control"), so that an open server says so, and the
 *   access settings' problems (a keys file that does not parse, an origin that is not one) are
 *   reported before any request;
 * - starts the retention sweep (lib/retention, README "Retention"), only when
 *   LOGSCOPE_RETENTION has rules.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { accessConfig, describeAccess } = await import('./lib/access/config');
  // accessConfig() reports each problem of the settings itself (stderr), once
  console.log(`logscope: ${describeAccess(accessConfig())}`);
  const [{ startRetentionOnce }, { getStore }] = await Promise.all([import('./lib/retention/sweeper'), import('./lib/store/instance')]);
  startRetentionOnce(getStore);
}
