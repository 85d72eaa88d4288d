import { CHUNK, SKETCH_FIELDS } from './packing';

/** What a downsampled series holds per bucket: its last point and the extremes seen in it. */
export interface Downsampled {
  steps: number[];
  values: number[];
  times: number[];
  min: number[];
  max: number[];
}

export interface StoredSegment {
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array;
}

export interface SketchSegment {
  chunks: Float64Array;
}

/**
 * Buckets of equal step width between `from` and `to`. Each bucket reports its
 * last point plus its min and max, so a spike anywhere in a bucket stays
 * visible even when most points are dropped.
 */
export class Buckets {
  private readonly width: number;
  private readonly lastStep: Float64Array;
  private readonly lastValue: Float64Array;
  private readonly lastTime: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly used: Uint8Array;

  constructor(
    private readonly from: number,
    to: number,
    private readonly count: number,
  ) {
    this.width = Math.max(1, (to - from + 1) / count);
    this.lastStep = new Float64Array(count).fill(-Infinity);
    this.lastValue = new Float64Array(count);
    this.lastTime = new Float64Array(count);
    this.min = new Float64Array(count).fill(Infinity);
    this.max = new Float64Array(count).fill(-Infinity);
    this.used = new Uint8Array(count);
  }

  add(step: number, value: number, time: number, low = value, high = value): void {
    const b = Math.min(this.count - 1, Math.floor((step - this.from) / this.width));
    if (b < 0) return;
    this.used[b] = 1;
    if (step >= this.lastStep[b]!) {
      this.lastStep[b] = step;
      this.lastValue[b] = value;
      this.lastTime[b] = time;
    }
    if (low < this.min[b]!) this.min[b] = low;
    if (high > this.max[b]!) this.max[b] = high;
  }

  result(): Downsampled {
    const out: Downsampled = { steps: [], values: [], times: [], min: [], max: [] };
    for (let b = 0; b < this.count; b++) {
      if (!this.used[b]) continue;
      out.steps.push(this.lastStep[b]!);
      out.values.push(this.lastValue[b]!);
      out.times.push(this.lastTime[b]!);
      // A bucket of only NaN values has no extremes.
      out.min.push(this.min[b] === Infinity ? NaN : this.min[b]!);
      out.max.push(this.max[b] === -Infinity ? NaN : this.max[b]!);
    }
    return out;
  }
}

/** Exact: every point in [from, to] goes through the buckets. */
export function downsamplePoints(segments: StoredSegment[], from: number, to: number, buckets: number): Downsampled {
  const acc = new Buckets(from, to, buckets);
  for (const s of segments) {
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i]!;
      if (step < from || step > to) continue;
      const v = s.values[i]!;
      acc.add(step, v, s.times[i]!, Number.isNaN(v) ? Infinity : v, Number.isNaN(v) ? -Infinity : v);
    }
  }
  return acc.result();
}

/**
 * From sketches: each chunk of CHUNK points lands in the bucket of its last
 * step. Bucket edges are off by at most one chunk, extremes are exact per
 * chunk. Callers use this only when buckets are many chunks wide.
 */
export function downsampleSketches(segments: SketchSegment[], from: number, to: number, buckets: number): Downsampled {
  const acc = new Buckets(from, to, buckets);
  for (const s of segments) {
    const c = s.chunks;
    for (let o = 0; o < c.length; o += SKETCH_FIELDS) {
      const first = c[o]!;
      const last = c[o + 1]!;
      if (last < from || first > to) continue;
      const low = c[o + 2]!;
      const high = c[o + 3]!;
      acc.add(Math.min(last, to), c[o + 4]!, c[o + 5]!, Number.isNaN(low) ? Infinity : low, Number.isNaN(high) ? -Infinity : high);
    }
  }
  return acc.result();
}

/** Sketches are precise enough when an average bucket spans at least this many chunks. */
export const SKETCH_MIN_CHUNKS_PER_BUCKET = 4;

export function shouldUseSketches(pointsInRange: number, buckets: number): boolean {
  return pointsInRange / buckets >= SKETCH_MIN_CHUNKS_PER_BUCKET * CHUNK;
}
