import type { StoredMedia } from '@trackbase/contracts';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
export const colorOf = (i: number) => COLORS[i % COLORS.length]!;

export function ConfusionMatrixView({ data, label }: { data: Record<string, unknown>; label: string }) {
  const { classNames, matrix } = data as { classNames: string[]; matrix: number[][] };
  const max = Math.max(1, ...matrix.flat());
  return (
    <table className="confusion" aria-label={`confusion matrix ${label}`}>
      <thead>
        <tr>
          <th>true \ pred</th>
          {classNames.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => (
          <tr key={classNames[i]}>
            <th>{classNames[i]}</th>
            {row.map((v, j) => (
              <td key={j} style={{ background: `rgba(37, 99, 235, ${(v / max) * 0.85})`, color: v / max > 0.5 ? '#fff' : '#111' }}>
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** ROC or PR curves of several runs overlaid in one chart, each run one colour, each class one line. */
export function CurvesOverlay({
  title,
  kind,
  entries,
}: {
  title: string;
  kind: 'roc_curve' | 'pr_curve';
  entries: Array<{ label: string; item: StoredMedia }>;
}) {
  const size = 260;
  const pad = 28;
  const scale = (v: number) => pad + v * (size - 2 * pad);
  return (
    <figure className="curves" aria-label={`${kind === 'roc_curve' ? 'ROC' : 'PR'} ${title}`}>
      <figcaption>{title}</figcaption>
      <svg width={size} height={size} role="img">
        <rect x={pad} y={pad} width={size - 2 * pad} height={size - 2 * pad} fill="none" stroke="#ccc" />
        {kind === 'roc_curve' && <line x1={scale(0)} y1={scale(1)} x2={scale(1)} y2={scale(0)} stroke="#ddd" strokeDasharray="4" />}
        {entries.flatMap(({ label, item }, r) =>
          ((item.data?.curves ?? []) as Array<{ className: string; x: number[]; y: number[] }>).map((c, k) => (
            <polyline
              key={`${label}-${c.className}`}
              className="curve"
              data-run={label}
              fill="none"
              stroke={colorOf(r)}
              strokeOpacity={1 - k * 0.15}
              strokeWidth={1.5}
              points={c.x.map((x, i) => `${scale(x)},${scale(1 - c.y[i]!)}`).join(' ')}
            />
          )),
        )}
        <text x={size / 2} y={size - 6} textAnchor="middle" fontSize="10">
          {kind === 'roc_curve' ? 'false positive rate' : 'recall'}
        </text>
        <text x={10} y={size / 2} fontSize="10" transform={`rotate(-90 10 ${size / 2})`} textAnchor="middle">
          {kind === 'roc_curve' ? 'true positive rate' : 'precision'}
        </text>
      </svg>
      <ul className="legend">
        {entries.flatMap(({ label, item }, r) =>
          ((item.data?.curves ?? []) as Array<{ className: string; auc?: number }>).map((c) => (
            <li key={`${label}-${c.className}`} style={{ color: colorOf(r) }}>
              {label} · {c.className}
              {c.auc !== undefined ? ` · ${kind === 'roc_curve' ? 'AUC' : 'AP'} ${c.auc.toFixed(3)}` : ''}
            </li>
          )),
        )}
      </ul>
    </figure>
  );
}

/** A histogram series as a heatmap: one column per step, one row per bin (rebinned to shared edges), darker for more. */
export function HistogramHeatmap({ items, current, label }: { items: StoredMedia[]; current: number | null; label: string }) {
  const hists = items.map((i) => ({ step: i.step, ...(i.data as { counts: number[]; edges: number[] }) }));
  if (!hists.length) return null;
  const lo = Math.min(...hists.map((h) => h.edges[0]!));
  const hi = Math.max(...hists.map((h) => h.edges.at(-1)!));
  const rows = 24;
  const width = 240;
  const height = 96;
  const cw = width / hists.length;
  const grid = hists.map((h) => {
    const out = new Array<number>(rows).fill(0);
    h.counts.forEach((c, b) => {
      const mid = (h.edges[b]! + h.edges[b + 1]!) / 2;
      out[Math.min(rows - 1, Math.max(0, Math.floor(((mid - lo) / (hi - lo || 1)) * rows)))]! += c;
    });
    return out;
  });
  const max = Math.max(1, ...grid.flat());
  return (
    <svg width={width} height={height} role="img" aria-label={`histogram over steps ${label}`} className="heatmap">
      {grid.flatMap((col, x) =>
        col.map((v, y) => (
          <rect
            key={`${x}-${y}`}
            x={x * cw}
            y={height - ((y + 1) * height) / rows}
            width={cw + 0.5}
            height={height / rows + 0.5}
            fill={`rgba(147, 51, 234, ${v / max})`}
          />
        )),
      )}
      {hists.map((h, x) =>
        h.step === current ? <rect key="now" x={x * cw} y={0} width={cw} height={height} fill="none" stroke="#111" /> : null,
      )}
    </svg>
  );
}
