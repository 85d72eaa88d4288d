import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PointsEvent } from '@trackbase/contracts';
import { Subscriber } from './subscriber';

const limits = { flushIntervalMs: 10, pointsPerSeriesPerFlush: 100, seriesPerSubscriber: 5 };

function points(runId: string, name: string, from: number, count: number): PointsEvent {
  const steps = Array.from({ length: count }, (_, i) => from + i);
  return { runId, coalesced: false, series: [{ kind: 'metric', name, steps, values: steps, times: steps }] };
}

afterEach(() => vi.useRealTimers());

describe('Subscriber', () => {
  it('merges points per series and sends them in order at the next flush', () => {
    vi.useFakeTimers();
    const sent: PointsEvent[] = [];
    const subscriber = new Subscriber({ ready: () => true, send: (e) => sent.push(e) }, limits);
    subscriber.enqueue(points('r1', 'loss', 0, 3));
    subscriber.enqueue(points('r1', 'loss', 3, 2));
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(10);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.series[0]!.steps).toEqual([0, 1, 2, 3, 4]);
    expect(sent[0]!.coalesced).toBe(false);
  });

  it('a stalled client holds at most the newest points per series, and is told it lost some', () => {
    vi.useFakeTimers();
    let ready = false;
    const sent: PointsEvent[] = [];
    const subscriber = new Subscriber({ ready: () => ready, send: (e) => sent.push(e) }, limits);
    for (let i = 0; i < 1_000; i++) {
      subscriber.enqueue(points('r1', 'loss', i * 50, 50));
      vi.advanceTimersByTime(10);
    }
    expect(sent).toHaveLength(0);
    expect(subscriber.pendingPoints()).toBe(100);
    ready = true;
    vi.advanceTimersByTime(10);
    expect(sent[0]!.coalesced).toBe(true);
    expect(sent[0]!.series[0]!.steps.at(-1)).toBe(49_999);
    expect(sent[0]!.series[0]!.steps).toHaveLength(100);
  });

  it('caps the number of series it holds', () => {
    vi.useFakeTimers();
    const subscriber = new Subscriber({ ready: () => false, send: () => undefined }, limits);
    for (let s = 0; s < 50; s++) subscriber.enqueue(points('r1', `m${s}`, 0, 10));
    expect(subscriber.pendingPoints()).toBe(50);
  });
});
