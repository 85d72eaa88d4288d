import { DataMedia } from './media';

/** Evaluation charts computed from predictions, stored as typed data (drawn natively, comparable across runs). */

const MAX_POINTS = 1_000;

/** Counts of (true class, predicted class); labels are class indices or names from `classNames`. */
export function confusionMatrix(yTrue: ArrayLike<number | string>, yPred: ArrayLike<number | string>, classNames?: string[]): DataMedia {
  if (yTrue.length !== yPred.length) throw new RangeError('yTrue and yPred have the same length');
  const labels = classNames ?? [...new Set([...Array.from(yTrue), ...Array.from(yPred)].map(String))].sort();
  const index = new Map<string, number>();
  labels.forEach((name, i) => {
    index.set(String(i), i);
    index.set(name, i);
  });
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(String(yTrue[i]));
    const p = index.get(String(yPred[i]));
    if (t === undefined || p === undefined) throw new RangeError(`label ${t === undefined ? yTrue[i] : yPred[i]} is not among the classes`);
    matrix[t]![p]!++;
  }
  return new DataMedia('confusion_matrix', { classNames: labels, matrix });
}

/** Cumulative true and false positives at each distinct threshold, from the highest score down. */
function ranked(positive: boolean[], score: number[]): { tps: number[]; fps: number[] } {
  const order = score.map((_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  order.forEach((i, rank) => {
    if (positive[i]) tp++;
    const next = order[rank + 1];
    if (next === undefined || score[next] !== score[i]) {
      tps.push(tp);
      fps.push(rank + 1 - tp);
    }
  });
  return { tps, fps };
}

function thin(x: number[], y: number[]): { x: number[]; y: number[] } {
  if (x.length <= MAX_POINTS) return { x, y };
  const keep = [...new Set(Array.from({ length: MAX_POINTS }, (_, i) => Math.round((i * (x.length - 1)) / (MAX_POINTS - 1))))];
  return { x: keep.map((i) => x[i]!), y: keep.map((i) => y[i]!) };
}

/** Per class (one-vs-rest): `yScore` is one score per sample (binary, positive = 1) or one row of class scores per sample. */
function perClass(yTrue: ArrayLike<number>, yScore: ArrayLike<number> | number[][], classNames?: string[]) {
  const truth = Array.from(yTrue);
  const rows = Array.from(yScore as ArrayLike<number | number[]>);
  if (!Array.isArray(rows[0]))
    return [{ name: classNames?.[1] ?? 'positive', positive: truth.map((t) => t === 1), score: rows as number[] }];
  const classes = (rows[0] as number[]).length;
  return Array.from({ length: classes }, (_, c) => ({
    name: classNames?.[c] ?? String(c),
    positive: truth.map((t) => t === c),
    score: (rows as number[][]).map((r) => r[c]!),
  }));
}

export function rocCurve(yTrue: ArrayLike<number>, yScore: ArrayLike<number> | number[][], classNames?: string[]): DataMedia {
  const curves = perClass(yTrue, yScore, classNames).map(({ name, positive, score }) => {
    const { tps, fps } = ranked(positive, score);
    const p = tps.at(-1) ?? 0;
    const n = fps.at(-1) ?? 0;
    const x = [0, ...fps.map((f) => (n ? f / n : 0))];
    const y = [0, ...tps.map((t) => (p ? t / p : 0))];
    let auc = 0;
    for (let i = 1; i < x.length; i++) auc += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
    return { className: name, ...thin(x, y), auc };
  });
  return new DataMedia('roc_curve', { curves });
}

export function prCurve(yTrue: ArrayLike<number>, yScore: ArrayLike<number> | number[][], classNames?: string[]): DataMedia {
  const curves = perClass(yTrue, yScore, classNames).map(({ name, positive, score }) => {
    const { tps, fps } = ranked(positive, score);
    const p = tps.at(-1) ?? 0;
    const precision = tps.map((t, i) => t / Math.max(1, t + fps[i]!));
    const recall = tps.map((t) => (p ? t / p : 0));
    let ap = 0;
    recall.forEach((r, i) => (ap += (r - (recall[i - 1] ?? 0)) * precision[i]!));
    return { className: name, ...thin([0, ...recall], [1, ...precision]), auc: ap };
  });
  return new DataMedia('pr_curve', { curves });
}
