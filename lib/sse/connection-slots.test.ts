import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, clientAddress } from './client-address';
import { ConnectionSlots } from './connection-slots';
import { sseResponse } from './response';

describe('ConnectionSlots', () => {
  it('refuses the N+1th stream of one client and takes it again once one is released', () => {
    const slots = new ConnectionSlots(2, 10);
    const a = slots.acquire('1.1.1.1');
    const b = slots.acquire('1.1.1.1');
    expect(slots.acquire('1.1.1.1')).toEqual({ refused: 'client' });
    expect('release' in slots.acquire('2.2.2.2')).toBe(true);
    if (!('release' in a) || !('release' in b)) throw new Error('expected slots');
    a.release();
    a.release(); // idempotent: a second release frees nothing more
    expect(slots.count('1.1.1.1')).toBe(1);
    expect('release' in slots.acquire('1.1.1.1')).toBe(true);
    expect(slots.acquire('1.1.1.1')).toEqual({ refused: 'client' });
  });

  it('refuses past the total whoever asks', () => {
    const slots = new ConnectionSlots(5, 3);
    const held = ['a', 'b', 'c'].map((c) => slots.acquire(c));
    expect(slots.acquire('d')).toEqual({ refused: 'total' });
    const first = held[0];
    if (!first || !('release' in first)) throw new Error('expected a slot');
    first.release();
    expect('release' in slots.acquire('d')).toBe(true);
    expect(slots.count()).toBe(3);
  });

  it('is released by the stream on every way it ends', async () => {
    const slots = new ConnectionSlots(1, 1);
    async function* frames(): AsyncGenerator<string> {
      yield 'event: end\ndata: {}\n\n';
    }
    async function* forever(signal: AbortSignal): AsyncGenerator<string> {
      while (!signal.aborted) await new Promise((r) => setTimeout(r, 10));
      yield* [];
    }
    async function* failing(): AsyncGenerator<string> {
      throw new Error('backend down');
    }
    const open = (make: (signal: AbortSignal) => AsyncIterable<string>, request: AbortController) => {
      const slot = slots.acquire('x');
      if (!('release' in slot)) throw new Error('slot not released');
      return sseResponse(make, request.signal, 60_000, slot.release);
    };
    // the stream ends
    await open(frames, new AbortController()).text();
    expect(slots.count()).toBe(0);
    // the stream fails
    await open(failing, new AbortController()).text();
    expect(slots.count()).toBe(0);
    // the client goes away (request aborted)
    const gone = new AbortController();
    const response = open(forever, gone);
    const reader = response.body?.getReader();
    await reader?.read();
    gone.abort();
    expect(slots.count()).toBe(0);
    // the client cancels the body
    const cancelled = open(forever, new AbortController());
    await cancelled.body?.cancel();
    expect(slots.count()).toBe(0);
  });
});

describe('clientAddress', () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);
  it('is the socket address from the server, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: '10.0.0.7', 'x-forwarded-for': '1.2.3.4' }), 0)).toBe('10.0.0.7');
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: '::ffff:127.0.0.1' }), 0)).toBe('127.0.0.1');
  });
  it('believes X-Forwarded-For only as far as the trusted proxies', () => {
    const h = headers({ [CLIENT_ADDRESS_HEADER]: '10.0.0.1', 'x-forwarded-for': '6.6.6.6, 203.0.113.9' });
    expect(clientAddress(h, 1)).toBe('203.0.113.9');
    expect(clientAddress(h, 2)).toBe('6.6.6.6');
    expect(clientAddress(h, 5)).toBe('6.6.6.6');
  });
  it('falls back to the X-Forwarded-For that Next sets when the server did not say', () => {
    expect(clientAddress(headers({ 'x-forwarded-for': '127.0.0.1' }), 0)).toBe('127.0.0.1');
    expect(clientAddress(headers({}), 0)).toBe('unknown');
  });
});
