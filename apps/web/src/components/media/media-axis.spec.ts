import { describe, expect, it } from 'vitest';
import { mediaStepsOf, placeSteps, positionsOf, stepAt } from './media-axis';

const keys = (runId: string, steps: number[], times: number[]) => ({
  runId,
  keys: [
    { key: 'samples', type: 'image' as const, count: steps.length, firstStep: steps[0]!, lastStep: steps.at(-1)!, steps, times },
    { key: 'w', type: 'histogram' as const, count: 1, firstStep: 999, lastStep: 999, steps: [999], times: [0] },
  ],
});

describe('media slider axes', () => {
  it('on an epoch metric each run shows its latest media step whose epoch is at or before the slider', () => {
    // Run a logs 10 steps per epoch, run b 4: the same epoch is a different step in each.
    const a = placeSteps(
      mediaStepsOf(keys('a', [0, 10, 20], [1, 2, 3])),
      { kind: 'metric', name: 'epoch' },
      {
        steps: [0, 10, 20],
        values: [0, 1, 2],
      },
    );
    const b = placeSteps(
      mediaStepsOf(keys('b', [0, 4, 8], [1, 2, 3])),
      { kind: 'metric', name: 'epoch' },
      {
        steps: [0, 3, 7],
        values: [0, 1, 2],
      },
    );
    expect(a).toEqual([
      { x: 0, step: 0 },
      { x: 1, step: 10 },
      { x: 2, step: 20 },
    ]);
    expect(b).toEqual([
      { x: 0, step: 0 },
      { x: 1, step: 4 },
      { x: 2, step: 8 },
    ]);
    expect(positionsOf([a, b])).toEqual([0, 1, 2]);
    expect([stepAt(a, 1), stepAt(b, 1)]).toEqual([10, 4]);
    expect([stepAt(a, 1.5), stepAt(b, -1)]).toEqual([10, null]);
  });

  it('steps before the metric was first logged have no place on its axis; histograms are not slider steps', () => {
    const placed = placeSteps(mediaStepsOf(keys('a', [0, 5], [1, 2])), { kind: 'metric', name: 'epoch' }, { steps: [3], values: [1] });
    expect(placed).toEqual([{ x: 1, step: 5 }]);
    expect(mediaStepsOf(keys('a', [0, 5], [1, 2])).map((s) => s.step)).toEqual([0, 5]);
  });

  it("on wall time runs are placed by their items' times, on relative time from each run's first item", () => {
    const steps = mediaStepsOf(keys('a', [0, 5], [10_000, 14_000]));
    expect(placeSteps(steps, { kind: 'time' })).toEqual([
      { x: 10_000, step: 0 },
      { x: 14_000, step: 5 },
    ]);
    expect(placeSteps(steps, { kind: 'relative' })).toEqual([
      { x: 0, step: 0 },
      { x: 4, step: 5 },
    ]);
  });
});
