/**
 * Points of one series as stored: three parallel float64 arrays sorted by step,
 * plus a sketch with one entry per CHUNK points (first step, last step, min,
 * max, last value, last time) that downsampled reads use instead of the points.
 */
export const CHUNK = 64;
export const SKETCH_FIELDS = 6;

export interface PackedSegment {
  firstStep: number;
  lastStep: number;
  count: number;
  /** Smallest and largest value, ignoring NaN; null when every value is NaN. */
  min: number | null;
  max: number | null;
  lastValue: number;
  lastTime: number;
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array;
  chunks: Float64Array;
}

export function packSegment(stepsIn: ArrayLike<number>, valuesIn: ArrayLike<number>, timesIn: ArrayLike<number>): PackedSegment {
  const n = stepsIn.length;
  let steps = Float64Array.from(stepsIn);
  let values = Float64Array.from(valuesIn);
  let times = Float64Array.from(timesIn);
  if (!isSorted(steps)) ({ steps, values, times } = sortByStep(steps, values, times));

  let min = Infinity;
  let max = -Infinity;
  const chunkCount = Math.ceil(n / CHUNK);
  const chunks = new Float64Array(chunkCount * SKETCH_FIELDS);
  for (let c = 0; c < chunkCount; c++) {
    const start = c * CHUNK;
    const end = Math.min(start + CHUNK, n);
    let cmin = Infinity;
    let cmax = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (v < cmin) cmin = v;
      if (v > cmax) cmax = v;
    }
    if (cmin < min) min = cmin;
    if (cmax > max) max = cmax;
    const o = c * SKETCH_FIELDS;
    chunks[o] = steps[start]!;
    chunks[o + 1] = steps[end - 1]!;
    // A chunk of only NaN has no extremes; NaN marks that in the sketch.
    chunks[o + 2] = cmin === Infinity && cmax === -Infinity ? NaN : cmin;
    chunks[o + 3] = cmin === Infinity && cmax === -Infinity ? NaN : cmax;
    chunks[o + 4] = values[end - 1]!;
    chunks[o + 5] = times[end - 1]!;
  }
  const none = min === Infinity && max === -Infinity;
  return {
    firstStep: steps[0]!,
    lastStep: steps[n - 1]!,
    count: n,
    min: none ? null : min,
    max: none ? null : max,
    lastValue: values[n - 1]!,
    lastTime: times[n - 1]!,
    steps,
    values,
    times,
    chunks,
  };
}

function isSorted(steps: Float64Array): boolean {
  for (let i = 1; i < steps.length; i++) if (steps[i]! < steps[i - 1]!) return false;
  return true;
}

function sortByStep(steps: Float64Array, values: Float64Array, times: Float64Array) {
  const order = Array.from(steps.keys()).sort((a, b) => steps[a]! - steps[b]! || a - b);
  return {
    steps: Float64Array.from(order, (i) => steps[i]!),
    values: Float64Array.from(order, (i) => values[i]!),
    times: Float64Array.from(order, (i) => times[i]!),
  };
}

/** Float64Array → Buffer without copying (little-endian on every platform we run on). */
export function toBytes(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Buffer → Float64Array; copies only when the buffer is not 8-byte aligned. */
export function fromBytes(bytes: Buffer): Float64Array {
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return new Float64Array(Uint8Array.from(bytes).buffer);
}

/** A float for a float8 parameter: node-postgres sends NaN and the infinities only as text. */
export function floatParam(value: number | null): number | string | null {
  if (value === null) return null;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
