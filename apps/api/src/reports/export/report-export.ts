import { fromWireFloat, panelTitle, type PanelBlock, type ReportBlockParsed, type ReportData } from '@trackbase/contracts';
import { renderMarkdown } from './export-markdown';
import { colorOf, esc, fmt, lineChartSvg, parallelSvg, scatterSvg, type ParallelAxis } from './export-svg';

/** A panel's data, read through the one data path (the report's readers, or its share link). */
export type ExportLoader = (block: string) => Promise<ReportData>;
/** An image item's thumbnail as a data URI, or null when it has none that can be embedded. */
export type ThumbnailLoader = (runId: string, item: { key: string; step: number; index: number }) => Promise<string | null>;

export interface ExportDocument {
  title: string;
  blocks: ReportBlockParsed[];
  /** "Published version 3, 2026-12-03" or "Draft". */
  subtitle: string;
}

/** The page allows nothing but its own inline styles and `data:` images: no script, no request. */
export const EXPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** Images embedded per media panel, against an export of hundreds of megabytes. */
const MEDIA_IMAGES_PER_PANEL = 64;

const STYLE = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:960px;margin:2em auto;padding:0 1em}
h1.report-title{margin-bottom:0}.subtitle{color:#666;margin-top:.2em}
section.block{margin:1.5em 0}figure.panel{margin:0;border:1px solid #ddd;border-radius:6px;padding:.8em}
figcaption{font-weight:600;margin-bottom:.5em}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}.scroll{overflow-x:auto}
.legend{display:flex;flex-wrap:wrap;gap:.3em 1em;font-size:12px;margin:.4em 0}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
details{margin-top:.5em;font-size:12px}.muted{color:#777}.media-grid td{min-width:120px}.media-grid img{max-width:200px;display:block}
pre{background:#f6f8fa;padding:.6em;overflow:auto}code{background:#f6f8fa;padding:0 .2em}svg.chart{max-width:100%;height:auto}
`;

/**
 * A report as one self-contained HTML file: Markdown blocks rendered and
 * sanitised on the server, charts as inline SVG with their numbers in a table
 * beside them, tables as HTML tables, images as `data:` URIs. A strict CSP
 * meta forbids every request and every script, so the file shows the same
 * anywhere, offline, and cannot call back.
 */
export async function renderReportHtml(doc: ExportDocument, load: ExportLoader, thumbnail: ThumbnailLoader): Promise<string> {
  const sections: string[] = [];
  for (const block of doc.blocks) {
    if (block.type === 'text') {
      sections.push(`<section class="block text" data-block="${esc(block.id)}">${await renderMarkdown(block.markdown)}</section>`);
      continue;
    }
    const data = await load(block.id);
    sections.push(
      `<section class="block panel-block" data-block="${esc(block.id)}" data-type="${block.type}"><figure class="panel"><figcaption>${esc(
        panelTitle(block),
      )}</figcaption>${data.runs.length ? await panelHtml(block, data, thumbnail) : '<p class="muted">No runs in this panel\'s run set.</p>'}</figure></section>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${EXPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.title)}</title><style>${STYLE}</style></head>
<body><header><h1 class="report-title">${esc(doc.title)}</h1><p class="subtitle">${esc(doc.subtitle)}</p></header>
<main>${sections.join('\n')}</main></body></html>
`;
}

const runLabel = (r: ReportData['runs'][number]) => r.name || r.key;

function lastValue(data: ReportData, run: number, metric: string): number | null {
  const s = data.series.find((x) => x.run === run && x.name === metric);
  if (!s) return null;
  const v = s.values.length ? s.values[s.values.length - 1] : s.last;
  return v === undefined || v === null ? null : fromWireFloat(v);
}

function legend(data: ReportData): string {
  return `<div class="legend">${data.runs
    .map((r, i) => `<span><i class="swatch" style="background:${colorOf(i)}"></i>${esc(runLabel(r))}</span>`)
    .join('')}</div>`;
}

function table(head: string[], rows: string[][], label: string): string {
  return `<div class="scroll"><table aria-label="${esc(label)}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

const show = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'number' ? fmt(v) : typeof v === 'string' ? v : JSON.stringify(v);

/** A param's values as numbers; categorical ones by rank of their sorted distinct values. */
function encode(values: unknown[]): { values: number[]; categories: string[] | null } {
  if (values.every((v) => v === undefined || v === null || typeof v === 'number'))
    return { values: values.map((v) => (typeof v === 'number' ? v : NaN)), categories: null };
  const categories = [...new Set(values.filter((v) => v !== undefined && v !== null).map(show))].sort();
  return { values: values.map((v) => (v === undefined || v === null ? NaN : categories.indexOf(show(v)))), categories };
}

async function panelHtml(block: PanelBlock, data: ReportData, thumbnail: ThumbnailLoader): Promise<string> {
  const title = panelTitle(block);
  switch (block.type) {
    case 'line': {
      const lines = data.series.map((s) => {
        const run = data.runs[s.run]!;
        return {
          label: block.metrics.length > 1 ? `${runLabel(run)} · ${s.name}` : runLabel(run),
          color: colorOf(s.run),
          x: s.steps,
          y: s.values.map((v) => fromWireFloat(v) ?? NaN),
        };
      });
      if (!lines.length) return `<p class="muted">No points logged for ${esc(block.metrics.join(', '))}.</p>`;
      const rows = data.series.flatMap((s) =>
        s.steps.map((step, i) => [runLabel(data.runs[s.run]!), s.name, String(step), show(fromWireFloat(s.values[i]!))]),
      );
      return `${lineChartSvg(title, lines)}${legend(data)}<details><summary>Data (${rows.length} points)</summary>${table(['Run', 'Metric', 'Step', 'Value'], rows, `${title} data`)}</details>`;
    }
    case 'runs': {
      const params = [...new Set(data.runs.flatMap((r) => Object.keys(r.params)))].sort();
      const rows = data.runs.map((r, i) => [
        runLabel(r),
        r.state,
        ...params.map((p) => show(r.params[p])),
        ...block.metrics.map((m) => show(lastValue(data, i, m))),
      ]);
      return table(['Run', 'State', ...params, ...block.metrics], rows, 'Runs');
    }
    case 'scatter': {
      const value = (axis: typeof block.x) =>
        axis.kind === 'param'
          ? encode(data.runs.map((r) => r.params[axis.name]))
          : { values: data.runs.map((_, i) => lastValue(data, i, axis.name) ?? NaN), categories: null };
      const xs = value(block.x).values;
      const ys = value(block.y).values;
      const points = data.runs
        .map((r, i) => ({ label: runLabel(r), color: colorOf(i), x: xs[i]!, y: ys[i]! }))
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
      const rows = data.runs.map((r, i) => [runLabel(r), show(block.x.kind === 'param' ? r.params[block.x.name] : xs[i]), show(ys[i])]);
      const chart = points.length
        ? scatterSvg(title, points, block.x.name, block.y.name)
        : `<p class="muted">No run has both ${esc(block.x.name)} and ${esc(block.y.name)}.</p>`;
      return `${chart}${legend(data)}<details><summary>Data</summary>${table(['Run', block.x.name, block.y.name], rows, `${title} data`)}</details>`;
    }
    case 'parallel': {
      const axes: ParallelAxis[] = [
        ...block.params.map((p) => ({ name: p, ...encode(data.runs.map((r) => r.params[p])) })),
        ...block.metrics.map((m) => ({ name: m, values: data.runs.map((_, i) => lastValue(data, i, m) ?? NaN), categories: null })),
      ];
      const rows = data.runs.map((r, i) => [
        runLabel(r),
        ...block.params.map((p) => show(r.params[p])),
        ...block.metrics.map((m) => show(lastValue(data, i, m))),
      ]);
      return `${parallelSvg(
        title,
        axes,
        data.runs.map((r, i) => ({ label: runLabel(r), color: colorOf(i) })),
      )}${legend(data)}<details><summary>Data</summary>${table(
        ['Run', ...block.params, ...block.metrics],
        rows,
        `${title} data`,
      )}</details>`;
    }
    case 'media':
      return mediaHtml(block, data, thumbnail);
  }
}

async function mediaHtml(block: Extract<PanelBlock, { type: 'media' }>, data: ReportData, thumbnail: ThumbnailLoader): Promise<string> {
  const grid = data.media;
  let embedded = 0;
  const cells = new Map((grid?.cells ?? []).map((c) => [`${c.runId}\u0000${c.key}`, c]));
  const rows: string[] = [];
  for (const run of data.runs) {
    const tds: string[] = [];
    for (const key of block.keys) {
      const cell = cells.get(`${run.id}\u0000${key}`);
      if (!cell || cell.step === null || !cell.items.length) {
        tds.push('<td class="muted">—</td>');
        continue;
      }
      const parts: string[] = [];
      for (const item of cell.items) {
        const caption = item.caption ? `<div class="muted">${esc(item.caption)}</div>` : '';
        if (item.type === 'image' && embedded < MEDIA_IMAGES_PER_PANEL) {
          const uri = await thumbnail(run.id, { key: item.key, step: item.step, index: item.index });
          if (uri) {
            embedded++;
            parts.push(`<img src="${uri}" alt="${esc(`${runLabel(run)} ${key} step ${item.step}`)}">${caption}`);
            continue;
          }
        }
        parts.push(`<div>${esc(item.type)} ${esc(key)} #${item.index}</div>${caption}`);
      }
      tds.push(`<td data-step="${cell.step}">${parts.join('')}<div class="muted">step ${cell.step}</div></td>`);
    }
    rows.push(`<tr><th>${esc(runLabel(run))}</th>${tds.join('')}</tr>`);
  }
  const at = grid?.step === null || grid?.step === undefined ? '' : `<p class="muted">At step ${grid.step}</p>`;
  return `${at}<div class="scroll"><table class="media-grid" aria-label="Media"><thead><tr><th>Run</th>${block.keys
    .map((k) => `<th>${esc(k)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
