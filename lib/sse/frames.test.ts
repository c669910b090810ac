import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { linesEventSchema } from '../contracts/events';
import { encodeComment, encodeEvent, encodeRetry } from './frames';

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
});
