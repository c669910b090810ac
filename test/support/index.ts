/**
 * The one test harness: vitest tests, Playwright specs and the benchmarks import their
 * helpers from here. Production code never imports it.
 *
 * - processes.ts: the checkout's root, bounded waits, stopping a child, free ports, service gates
 * - ids.ts: unique job ids, NATS prefixes and database names
 * - logscope-server.ts: the built server as a child process (pid-checked health)
 * - postgres.ts, nats.ts: throw-away databases and prefixes on the shared services, and
 *   private servers and clusters a test may stop, freeze or kill
 * - api.ts: the HTTP API as a producer sends and a reader reads it
 * - bench.ts: percentiles, generated log lines and the run wrapper of the benchmarks
 * - events.ts: the events stream read over fetch
 * - cli.ts: bin/logscope.mjs as a child process
 * - contract-server.ts: an in-memory fake of the write contract with fault injection (SDK tests)
 * - stores.ts: the conformance handle of backends whose instances share data
 * - prng.ts: a seeded PRNG for deterministic generated data
 * - contrast.ts: WCAG contrast of two colours (themes)
 */
export * from './api';
export * from './bench';
export * from './cli';
export * from './contrast';
export * from './contract-server';
export * from './events';
export * from './ids';
export * from './logscope-server';
export * from './nats';
export * from './postgres';
export * from './processes';
export * from './prng';
export * from './stores';
