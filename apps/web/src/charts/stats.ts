/** Smoothing, robust ranges, group aggregates and parameter importance for the chart panels. */

export type Smoothing = { kind: 'none' } | { kind: 'ema'; weight: number } | { kind: 'mean'; window: number };

/** Exponential moving average (TensorBoard's, debiased) or a centred running mean; non-finite values pass through. */
export function smooth(values: ArrayLike<number>, s: Smoothing): number[] {
  const out = Array.from(values);
  if (s.kind === 'ema' && s.weight > 0) {
    let last = 0;
    let n = 0;
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      if (!Number.isFinite(v)) continue;
      last = last * s.weight + (1 - s.weight) * v;
      n++;
      out[i] = last / (1 - Math.pow(s.weight, n));
    }
  } else if (s.kind === 'mean' && s.window > 1) {
    const half = Math.floor(s.window / 2);
    const src = Array.from(values);
    for (let i = 0; i < src.length; i++) {
      if (!Number.isFinite(src[i]!)) continue;
      let sum = 0;
      let count = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(src.length - 1, i + half); j++) {
        if (Number.isFinite(src[j]!)) {
          sum += src[j]!;
          count++;
        }
      }
      out[i] = sum / count;
    }
  }
  return out;
}

/**
 * A y-range that ignores outliers: the 1st to 99th percentile of the finite
 * values, widened by 10 %, but never narrower than the central data. Null
 * when there is nothing to show.
 */
export function robustRange(columns: Array<ArrayLike<number | null>>, log = false): [number, number] | null {
  const all: number[] = [];
  for (const c of columns) {
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0)) all.push(v);
    }
  }
  if (!all.length) return null;
  all.sort((a, b) => a - b);
  const at = (q: number) => all[Math.min(all.length - 1, Math.max(0, Math.round(q * (all.length - 1))))]!;
  const lo = all.length >= 50 ? at(0.01) : all[0]!;
  const hi = all.length >= 50 ? at(0.99) : all[all.length - 1]!;
  if (log) return [lo / 1.2, hi * 1.2];
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

export type Band = 'std' | 'stderr' | 'minmax';

/** Per x: mean of the group's values and the band around it (runs without a value at x are left out). */
export function aggregate(columns: Array<ArrayLike<number | null>>, length: number, band: Band) {
  const mean: Array<number | null> = new Array(length).fill(null);
  const low: Array<number | null> = new Array(length).fill(null);
  const high: Array<number | null> = new Array(length).fill(null);
  for (let i = 0; i < length; i++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const c of columns) {
      const v = c[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      n++;
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!n) continue;
    const m = sum / n;
    const sd = n > 1 ? Math.sqrt(Math.max(0, (sq - n * m * m) / (n - 1))) : 0;
    const half = band === 'stderr' ? sd / Math.sqrt(n) : sd;
    mean[i] = m;
    low[i] = band === 'minmax' ? min : m - half;
    high[i] = band === 'minmax' ? max : m + half;
  }
  return { mean, low, high };
}

/** Carries the last value forward over gaps, so runs logged at different steps average on one x axis. */
export function fillForward(column: Array<number | null>): Array<number | null> {
  const out = column.slice();
  let last: number | null = null;
  let seen = false;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== null) {
      last = out[i]!;
      seen = true;
    } else if (seen) out[i] = last;
  }
  // No value past a run's last point: a finished short run must not flatten the mean.
  for (let i = out.length - 1; i >= 0 && column[i] === null; i--) out[i] = null;
  return out;
}

/** Pearson correlation of the pairs where both are finite; null with fewer than 3 pairs or no variance. */
export function correlation(xs: number[], ys: number[]): number | null {
  const pairs = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pairs.length < 3) return null;
  const n = pairs.length;
  const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
  const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (!sxx || !syy) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Numeric encoding of a param column: numbers as they are, booleans 0/1, other values by their rank among the distinct values. */
export function encodeColumn(values: unknown[]): number[] {
  if (values.every((v) => typeof v === 'number' || v === undefined || v === null))
    return values.map((v) => (typeof v === 'number' ? v : NaN));
  const distinct = [...new Set(values.filter((v) => v !== undefined && v !== null).map((v) => JSON.stringify(v)))].sort();
  return values.map((v) => (v === undefined || v === null ? NaN : distinct.indexOf(JSON.stringify(v))));
}

/**
 * Model-based importance: a forest of depth-limited regression trees on
 * bootstrap samples (a small random forest), importance = each param's share
 * of the variance reduction over all splits. Deterministic (seeded) so the
 * panel does not flicker between renders.
 */
export function forestImportance(features: number[][], target: number[], trees = 30, depth = 4): number[] {
  const rows = target.map((_, i) => i).filter((i) => Number.isFinite(target[i]!));
  const k = features.length;
  const gain = new Array(k).fill(0);
  if (rows.length < 4 || !k) return gain;
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const variance = (idx: number[]) => {
    const m = idx.reduce((s, i) => s + target[i]!, 0) / idx.length;
    return idx.reduce((s, i) => s + (target[i]! - m) ** 2, 0);
  };
  const grow = (idx: number[], level: number) => {
    if (level >= depth || idx.length < 4) return;
    const base = variance(idx);
    let best = { gain: 0, f: -1, threshold: 0 };
    for (let f = 0; f < k; f++) {
      if (random() > 0.7 && k > 2) continue; // feature subsampling
      const values = [...new Set(idx.map((i) => features[f]![i]!).filter(Number.isFinite))].sort((a, b) => a - b);
      for (let v = 0; v < values.length - 1; v++) {
        const threshold = (values[v]! + values[v + 1]!) / 2;
        const left = idx.filter((i) => features[f]![i]! <= threshold);
        const right = idx.filter((i) => !(features[f]![i]! <= threshold));
        if (!left.length || !right.length) continue;
        const g = base - variance(left) - variance(right);
        if (g > best.gain) best = { gain: g, f, threshold };
      }
    }
    if (best.f < 0) return;
    gain[best.f] += best.gain;
    grow(
      idx.filter((i) => features[best.f]![i]! <= best.threshold),
      level + 1,
    );
    grow(
      idx.filter((i) => !(features[best.f]![i]! <= best.threshold)),
      level + 1,
    );
  };
  for (let t = 0; t < trees; t++)
    grow(
      Array.from(rows, () => rows[Math.floor(random() * rows.length)]!),
      0,
    );
  const total = gain.reduce((s, g) => s + g, 0);
  return total ? gain.map((g) => g / total) : gain;
}
