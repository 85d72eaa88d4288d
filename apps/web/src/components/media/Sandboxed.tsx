import { paths } from '@trackbase/contracts';
import { useEffect, useMemo, useState } from 'react';
import { get } from '../../api/client';

/**
 * Untrusted documents render only here: an iframe whose `sandbox` never has
 * `allow-same-origin`, so its content runs in an opaque origin with no access
 * to the app's origin, cookies, localStorage or tokens, and a CSP inside it
 * that forbids any network request (nothing can be sent anywhere).
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

function frameDoc(body: string, scripts: boolean): string {
  const policy = scripts ? `${CSP}; script-src 'unsafe-inline'` : CSP;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><style>body{font:13px system-ui,sans-serif;margin:8px;color:#222}pre{white-space:pre-wrap}</style></head><body>${body}</body></html>`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function SandboxedFrame({ html, scripts, title }: { html: string; scripts: boolean; title: string }) {
  return (
    <iframe
      className="media-frame"
      title={title}
      // Scripts of HTML reports may run, in an opaque origin; nothing else is allowed.
      sandbox={scripts ? 'allow-scripts' : ''}
      referrerPolicy="no-referrer"
      srcDoc={frameDoc(html, scripts)}
    />
  );
}

/** An HTML, SVG or figure item: its text fetched from the API, rendered in the sandbox. */
export function DocumentView(props: {
  org: string;
  project: string;
  runId: string;
  item: { key: string; step: number; index: number; type: string; format: string | null };
}) {
  const { org, project, runId, item } = props;
  const [text, setText] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const query = `?key=${encodeURIComponent(item.key)}&step=${item.step}&index=${item.index}`;
    get<{ text: string }>(`${paths.runMediaDocument(org, project, runId)}${query}`)
      .then((d) => setText(d.text))
      .catch((e: Error) => setError(e.message));
  }, [org, project, runId, item.key, item.step, item.index]);
  if (error) return <span className="muted">{error}</span>;
  if (text === undefined) return <span className="muted">Loading…</span>;
  const title = `${item.key} at step ${item.step}`;
  if (item.type === 'html') return <SandboxedFrame html={text} scripts title={title} />;
  if (item.format === 'svg') return <SandboxedFrame html={text} scripts={false} title={title} />;
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch {
    /* shown as text below */
  }
  if (spec !== undefined && (item.format === 'plotly' || item.format === 'vega-lite'))
    return <FigureFrame spec={spec} format={item.format} title={title} />;
  const pretty = spec === undefined ? text : JSON.stringify(spec, null, 2);
  return (
    <SandboxedFrame
      html={`<p>${escapeHtml(item.format ?? 'figure')} specification</p><pre>${escapeHtml(pretty)}</pre>`}
      scripts={false}
      title={title}
    />
  );
}

/**
 * Plotly and Vega-Lite figures drawn interactively inside the sandbox. The
 * renderers are the app's own copies (`/sandbox/…`, from npm); the frame's CSP
 * lets it run only those files and the one bootstrap script carrying this
 * render's nonce, and fetch nothing. The specification travels as JSON data
 * (`<` escaped, so no text in it can close its element), never as markup.
 */
const RENDERERS = { plotly: ['plotly.min.js'], 'vega-lite': ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'] } as const;

const BOOT = {
  plotly: `const fig = JSON.parse(document.getElementById('spec').textContent);
const layout = Object.assign({ autosize: true, margin: { l: 40, r: 10, t: 30, b: 30 } }, fig.layout || {});
Plotly.newPlot('figure', fig.data || [], layout, { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false })
  .then(() => document.body.dataset.rendered = 'plotly', (e) => document.body.dataset.error = String(e));`,
  'vega-lite': `const spec = JSON.parse(document.getElementById('spec').textContent);
vegaEmbed('#figure', spec, { mode: 'vega-lite', actions: false, renderer: 'svg', loader: { http: {} } })
  .then(() => document.body.dataset.rendered = 'vega-lite', (e) => document.body.dataset.error = String(e));`,
};

export function figureDoc(spec: unknown, format: 'plotly' | 'vega-lite', origin: string, nonce: string): string {
  const base = `${origin}/sandbox/`;
  // 'unsafe-eval': Vega compiles its expressions and Plotly some helpers with Function(); that code stays in the opaque origin.
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; script-src ${base} 'nonce-${nonce}' 'unsafe-eval'`;
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  const scripts = RENDERERS[format].map((f) => `<script src="${base}${f}"></script>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><style>html,body{margin:0;height:100%}#figure{width:100%;height:100%}</style></head><body><div id="figure"></div><script type="application/json" id="spec">${json}</script>${scripts}<script nonce="${nonce}">${BOOT[format]}</script></body></html>`;
}

export function FigureFrame({ spec, format, title }: { spec: unknown; format: 'plotly' | 'vega-lite'; title: string }) {
  const doc = useMemo(() => figureDoc(spec, format, window.location.origin, crypto.randomUUID().replace(/-/g, '')), [spec, format]);
  return (
    <iframe
      className="media-frame media-figure"
      title={title}
      data-format={format}
      // Scripts run in an opaque origin: no access to the app's origin, cookies, storage or tokens.
      sandbox="allow-scripts"
      referrerPolicy="no-referrer"
      srcDoc={doc}
    />
  );
}
