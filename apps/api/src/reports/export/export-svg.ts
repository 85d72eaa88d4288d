/**
 * Charts of the static export drawn as inline SVG on the server: a line chart
 * (one polyline per run and metric), a scatter plot (one dot per run) and
 * parallel coordinates (one polyline per run). Every text is escaped; the SVG
 * loads nothing and runs nothing.
 */

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export const colorOf = (i: number) => PALETTE[i % PALETTE.length]!;

export const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
};

const W = 640;
const H = 280;
const PAD = { left: 64, right: 16, top: 16, bottom: 40 };

interface Range {
  lo: number;
  hi: number;
}

function rangeOf(values: number[]): Range {
  const f = values.filter(Number.isFinite);
  if (!f.length) return { lo: 0, hi: 1 };
  let lo = Math.min(...f);
  let hi = Math.max(...f);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.05 || 0.5;
    hi += Math.abs(hi) * 0.05 || 0.5;
  }
  return { lo, hi };
}

const sx = (r: Range, v: number) => PAD.left + ((v - r.lo) / (r.hi - r.lo)) * (W - PAD.left - PAD.right);
const sy = (r: Range, v: number) => H - PAD.bottom - ((v - r.lo) / (r.hi - r.lo)) * (H - PAD.top - PAD.bottom);
const n = (v: number) => v.toFixed(1);

/** Tick labels with three significant digits (the exact values are in the data table). */
const tick = (v: number) => fmt(Number(v.toPrecision(3)));

function axes(x: Range, y: Range, xLabel: string, yLabel: string): string {
  const ticks = (r: Range) => [0, 0.25, 0.5, 0.75, 1].map((t) => r.lo + t * (r.hi - r.lo));
  const xt = ticks(x)
    .map((v) => `<text x="${n(sx(x, v))}" y="${H - PAD.bottom + 14}" text-anchor="middle">${esc(tick(v))}</text>`)
    .join('');
  const yt = ticks(y)
    .map(
      (v) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${n(sy(y, v))}" y2="${n(sy(y, v))}" stroke="#ddd"/>` +
        `<text x="${PAD.left - 4}" y="${n(sy(y, v) + 3)}" text-anchor="end">${esc(tick(v))}</text>`,
    )
    .join('');
  return (
    `<g class="axes" font-size="10" fill="#555">${yt}${xt}` +
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#888"/>` +
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#888"/>` +
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text transform="translate(12 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text></g>`
  );
}

const svgOpen = (label: string) =>
  `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}">`;

export interface SvgLine {
  label: string;
  color: string;
  x: number[];
  y: number[];
}

export function lineChartSvg(label: string, lines: SvgLine[], xLabel = 'step'): string {
  const x = rangeOf(lines.flatMap((l) => l.x));
  const y = rangeOf(lines.flatMap((l) => l.y));
  const paths = lines
    .map((l) => {
      const pts = l.x.map((xv, i) => [xv, l.y[i]!] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      if (!pts.length) return '';
      const d = pts.map(([a, b]) => `${n(sx(x, a))},${n(sy(y, b))}`).join(' ');
      return pts.length === 1
        ? `<circle class="series" data-series="${esc(l.label)}" cx="${n(sx(x, pts[0]![0]))}" cy="${n(sy(y, pts[0]![1]))}" r="3" fill="${l.color}"><title>${esc(l.label)}</title></circle>`
        : `<polyline class="series" data-series="${esc(l.label)}" points="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"><title>${esc(l.label)}</title></polyline>`;
    })
    .join('');
  return `${svgOpen(label)}${axes(x, y, xLabel, label)}${paths}</svg>`;
}

export interface SvgPoint {
  label: string;
  color: string;
  x: number;
  y: number;
}

export function scatterSvg(label: string, points: SvgPoint[], xLabel: string, yLabel: string): string {
  const x = rangeOf(points.map((p) => p.x));
  const y = rangeOf(points.map((p) => p.y));
  const dots = points
    .map(
      (p) =>
        `<circle class="dot" data-run="${esc(p.label)}" cx="${n(sx(x, p.x))}" cy="${n(sy(y, p.y))}" r="4" fill="${p.color}"><title>${esc(
          `${p.label}: ${fmt(p.x)}, ${fmt(p.y)}`,
        )}</title></circle>`,
    )
    .join('');
  return `${svgOpen(label)}${axes(x, y, xLabel, yLabel)}${dots}</svg>`;
}

export interface ParallelAxis {
  name: string;
  /** One value per run (NaN when the run has none); categories are ranks into `categories`. */
  values: number[];
  categories: string[] | null;
}

export function parallelSvg(label: string, axesIn: ParallelAxis[], runs: { label: string; color: string }[]): string {
  const pad = 28;
  const xAt = (i: number) => pad + 20 + (i * (W - 3 * pad - 20)) / Math.max(1, axesIn.length - 1);
  const ranges = axesIn.map((a) => rangeOf(a.values));
  const yAt = (i: number, v: number) => {
    const r = ranges[i]!;
    return H - pad - ((v - r.lo) / (r.hi - r.lo)) * (H - 2 * pad);
  };
  const lines = runs
    .map((run, r) => {
      const pts = axesIn.map((a) => a.values[r]!);
      if (pts.some((v) => !Number.isFinite(v))) return '';
      return `<polyline class="series" data-run="${esc(run.label)}" points="${pts.map((v, i) => `${n(xAt(i))},${n(yAt(i, v))}`).join(' ')}" fill="none" stroke="${run.color}" stroke-width="1.5" opacity="0.85"><title>${esc(run.label)}</title></polyline>`;
    })
    .join('');
  const axisMarks = axesIn
    .map((a, i) => {
      const r = ranges[i]!;
      const top = a.categories ? a.categories.at(-1)! : fmt(r.hi);
      const bottom = a.categories ? a.categories[0]! : fmt(r.lo);
      return (
        `<g class="parallel-axis" font-size="10" fill="#555"><line x1="${n(xAt(i))}" x2="${n(xAt(i))}" y1="${pad}" y2="${H - pad}" stroke="#888"/>` +
        `<text x="${n(xAt(i))}" y="14" text-anchor="middle" font-size="11" fill="#222">${esc(a.name)}</text>` +
        `<text x="${n(xAt(i) + 3)}" y="${pad}">${esc(top)}</text><text x="${n(xAt(i) + 3)}" y="${H - pad + 12}">${esc(bottom)}</text></g>`
      );
    })
    .join('');
  return `${svgOpen(label)}${lines}${axisMarks}</svg>`;
}
