/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server packages with native or dynamic requires stay external to the bundle.
  serverExternalPackages: ['pg', '@nats-io/transport-node', '@nats-io/jetstream'],
  // SSE and streamed downloads must not be gzip-buffered (see docs/notes.md).
  compress: false,
  poweredByHeader: false,
  // `unauthorized()` (app/_access/page-access.ts): a page read without a needed credential is a 401, as in the API.
  // inlineCss: the page's CSS comes in its HTML, not as render-blocking requests after it (first
  // line of a 10k-line job, cold browser: 704 → 339 ms); the CSP allows it by hash
  // (lib/security/inline-styles.ts)
  experimental: { authInterrupts: true, inlineCss: true },
  // On every response, API and static files included. The page CSP and frame-ancestors need a
  // per-request nonce and are set in proxy.ts; raw log downloads add `sandbox` themselves.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          // the full URL only to Logscope itself: a job link in a log must not tell another site
          // which server and job it came from
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};
module.exports = nextConfig;
