import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { linesEventSchema } from '../contracts/events';
import type { Line } from '../contracts/lines';
import { LiveTail } from '../viewer/live-tail';
import { encodeComment, encodeEvent, encodeLinesFrames, encodeRetry } from './frames';

function parseAll(stream: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(stream);
  return events;
}

describe('SSE frames', () => {
  it('round-trips hostile line text through a real SSE parser', () => {
    const texts = ['progress 10%\r progress 100%', 'a\nb', 'crlf\r\n', '\u0000nul', 'data: fake\n\nevent: end', '\u2028\u2029'];
    const frame = encodeEvent('lines', { step: 'build', lines: texts.map((text, i) => ({ n: i + 1, ts: 1, stream: 'out', text })) }, '42');
    expect(frame).not.toMatch(/\r/);
    expect(frame.split('\n\n')).toHaveLength(2);
    const [event, ...rest] = parseAll(frame);
    expect(rest).toEqual([]);
    expect(event?.event).toBe('lines');
    expect(event?.id).toBe('42');
    const data = linesEventSchema.parse(JSON.parse(event?.data ?? 'null'));
    expect(data.lines.map((l) => l.text)).toEqual(texts);
  });

  it('refuses ids that would break the frame or be ignored', () => {
    for (const id of ['a\nb', 'a\rb', 'a\u0000b']) {
      expect(() => encodeEvent('end', { status: 'success' }, id)).toThrow();
    }
  });

  it('writes comments and retry hints that parsers skip', () => {
    const stream = encodeRetry(2000) + encodeComment('hb\r\nevent: end') + encodeEvent('end', { status: 'failure' }, '7');
    const events = parseAll(stream);
    expect(events.map((e) => e.event)).toEqual(['end']);
  });

  describe('encodeLinesFrames', () => {
    const line = (n: number, size: number): Line => ({ n, ts: n, stream: 'out', text: `${n} \u001b[1m`.padEnd(size, 'é') });
    const lines = Array.from({ length: 40 }, (_, i) => line(i + 1, 100 + ((i * 37) % 300)));

    it('writes one frame, identical to encodeEvent, when the event fits', () => {
      expect(encodeLinesFrames('build', lines, '42', 1 << 20)).toEqual([encodeEvent('lines', { step: 'build', lines }, '42')]);
      expect(encodeLinesFrames('build', [], '42', 10)).toEqual([encodeEvent('lines', { step: 'build', lines: [] }, '42')]);
    });

    it('splits a large event into frames within the budget; only the last carries the id', () => {
      const budget = 2000;
      const frames = encodeLinesFrames('build', lines, '42', budget);
      expect(frames.length).toBeGreaterThan(5);
      const events = parseAll(frames.join(''));
      expect(events).toHaveLength(frames.length);
      expect(events.map((e) => e.id)).toEqual([...frames.slice(1).map(() => undefined), '42']);
      for (const frame of frames.slice(0, -1)) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(budget);
      const decoded = events.flatMap((e) => linesEventSchema.parse(JSON.parse(e.data)).lines);
      expect(decoded).toEqual(lines);
    });

    it('sends a line larger than the budget alone', () => {
      const big = [line(1, 10), line(2, 5000), line(3, 10)];
      const frames = encodeLinesFrames('s', big, '9', 1000);
      expect(frames.map((f) => parseAll(f).flatMap((e) => linesEventSchema.parse(JSON.parse(e.data)).lines.map((l) => l.n)))).toEqual([[1], [2], [3]]);
    });

    it('resumes exactly after a cut between the frames of one event', () => {
      // events 1..3 of 10 lines each, the second split in frames; the client is cut after each
      // frame in turn, resumes from the last id it saw, and ends with every line once, in order
      const events = [1, 2, 3].map((e) => ({ id: String(e), lines: Array.from({ length: 10 }, (_, i) => line((e - 1) * 10 + i + 1, 300)) }));
      const framesOf = (from: number) => events.slice(from).flatMap((e) => encodeLinesFrames('s', e.lines, e.id, 1200));
      const all = framesOf(0);
      for (let cut = 1; cut < all.length; cut++) {
        const seen = parseAll(all.slice(0, cut).join(''));
        const lastId = seen.filter((e) => e.id !== undefined).at(-1)?.id;
        const resumed = parseAll(framesOf(lastId === undefined ? 0 : Number(lastId)).join(''));
        const tail = new LiveTail(() => undefined, 1000);
        for (const e of [...seen, ...resumed]) tail.push('s', linesEventSchema.parse(JSON.parse(e.data)).lines);
        tail.flush();
        expect(Array.from({ length: 30 }, (_, i) => tail.get('s', i + 1)?.n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        expect(tail.covers('s', 1, 30)).toBe(true);
      }
    });
  });
});
