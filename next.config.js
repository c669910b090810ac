/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server packages with native or dynamic requires stay external to the bundle.
  serverExternalPackages: ['pg', '@nats-io/transport-node', '@nats-io/jetstream'],
  // SSE and streamed downloads must not be gzip-buffered (see docs/notes.md).
  compress: false,
  poweredByHeader: false,
};
module.exports = nextConfig;
