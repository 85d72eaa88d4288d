import { paths } from '@trackbase/contracts';
import { useEffect, useState } from 'react';
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
  // Plotly and Vega-Lite specifications: shown as their data until an interactive renderer is bundled.
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* shown as it is */
  }
  return (
    <SandboxedFrame
      html={`<p>${escapeHtml(item.format ?? 'figure')} specification</p><pre>${escapeHtml(pretty)}</pre>`}
      scripts={false}
      title={title}
    />
  );
}
