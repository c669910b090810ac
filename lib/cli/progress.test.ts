import { describe, expect, it } from 'vitest';
import { formatProgress, Progress } from './progress';

const stats = { written: 1500, sent: 1200, acked: 1000, retries: 0 };
const target = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) > 0 };
};

describe('Progress', () => {
  it('formats lines sent and acked, and retries when there were any', () => {
    expect(formatProgress('build', stats)).toBe('logscope build: 1,200 lines sent · 1,000 acked');
    expect(formatProgress('build', { ...stats, retries: 3 })).toBe('logscope build: 1,200 lines sent · 1,000 acked · 3 retries');
  });

  it('is quiet when stderr is not a terminal', () => {
    const t = target(false);
    const progress = new Progress(t, () => 'build', () => stats);
    progress.draw();
    progress.stop();
    expect(t.chunks).toEqual([]);
  });

  it('draws on a terminal, clears before output, and waits for the output to end its line', () => {
    const t = target(true);
    const progress = new Progress(t, () => 'build', () => stats);
    progress.draw();
    expect(t.chunks).toEqual(['\r\u001b[Klogscope build: 1,200 lines sent · 1,000 acked']);
    progress.beforeOutput();
    expect(t.chunks.at(-1)).toBe('\r\u001b[K');
    progress.afterOutput('half a line');
    progress.draw();
    expect(t.chunks).toHaveLength(2);
    progress.afterOutput(new TextEncoder().encode('rest\n'));
    progress.draw();
    expect(t.chunks).toHaveLength(3);
    progress.stop();
    expect(t.chunks.at(-1)).toBe('\r\u001b[K');
  });
});
