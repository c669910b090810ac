import { expect, test } from '@playwright/test';
import { errorBodySchema } from '../lib/contracts/errors';
import { healthSchema } from '../lib/contracts/health';
import { buildOpenApiDocument } from '../lib/contracts/openapi';

/** The OpenAPI document as the running server serves it, and the server keeping to it. */

const doc = buildOpenApiDocument();
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);

test.describe('OpenAPI document', () => {
  test('is served at /api/openapi.json, as lib/contracts builds it', async ({ request, baseURL }) => {
    const response = await request.get(`${baseURL}/api/openapi.json`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/json');
    const served = await response.json();
    expect(served.openapi).toBe('3.1.0');
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test('every operation answers a status it documents', async ({ request, baseURL }) => {
    for (const { path, method, operation } of operations) {
      // Invalid ids in every path parameter, no query: each answer is one the document lists.
      const url = `${baseURL}${path.replace(/\{[^}]+\}/g, '.bad')}`;
      const ok = operation.responses['200'];
      if (ok && 'content' in ok && ok.content?.['text/event-stream'] && method === 'get') {
        // an event stream that may open (no path parameter to make invalid) never ends: read its status, then leave
        const controller = new AbortController();
        const response = await fetch(url, { signal: controller.signal });
        expect(Object.keys(operation.responses), `GET ${path} answered ${response.status}`).toContain(String(response.status));
        if (response.status >= 400) errorBodySchema.parse(await response.json());
        controller.abort();
        continue;
      }
      const response = await request.fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, data: '{}' });
      const status = String(response.status());
      expect(Object.keys(operation.responses), `${method.toUpperCase()} ${path} answered ${status}`).toContain(status);
      if (response.status() >= 400) errorBodySchema.parse(await response.json());
    }
  });

  test('answers parse with the contract schemas it is built from', async ({ request, baseURL }) => {
    healthSchema.parse(await (await request.get(`${baseURL}/api/health`)).json());
    const unknown = await request.get(`${baseURL}/api/v1/no-such-thing`);
    expect(unknown.status()).toBe(404);
    expect(errorBodySchema.parse(await unknown.json()).error.code).toBe('not_found');
  });
});
