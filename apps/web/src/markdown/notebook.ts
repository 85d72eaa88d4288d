/**
 * Jupyter notebooks (nbformat 4) read leniently into what the renderer
 * shows: Markdown cells, code cells with their outputs, raw cells. Output
 * MIME bundles are reduced to the one richest type we render safely;
 * JavaScript and widget outputs are never run (nor shown).
 */
export type NotebookOutput =
  | { type: 'html'; html: string }
  | { type: 'markdown'; text: string }
  | { type: 'image'; src: string }
  | { type: 'text'; text: string; stream?: 'stdout' | 'stderr' }
  | { type: 'error'; name: string; value: string; traceback: string };

export type NotebookCell =
  | { type: 'markdown'; source: string }
  | { type: 'raw'; source: string }
  | { type: 'code'; source: string; executionCount: number | null; outputs: NotebookOutput[] };

export interface Notebook {
  language: string;
  cells: NotebookCell[];
}

type Json = Record<string, unknown>;

const text = (value: unknown): string =>
  Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('') : typeof value === 'string' ? value : '';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

/** Null when the text is not a notebook at all. */
export function parseNotebook(source: string): Notebook | null {
  let doc: Json;
  try {
    doc = JSON.parse(source) as Json;
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.cells)) return null;
  const metadata = (doc.metadata ?? {}) as Json;
  const language =
    text((metadata.language_info as Json | undefined)?.name) || text((metadata.kernelspec as Json | undefined)?.language) || 'python';
  const cells: NotebookCell[] = [];
  for (const raw of doc.cells as Json[]) {
    if (!raw || typeof raw !== 'object') continue;
    const source = text(raw.source);
    if (raw.cell_type === 'markdown') cells.push({ type: 'markdown', source });
    else if (raw.cell_type === 'raw') cells.push({ type: 'raw', source });
    else if (raw.cell_type === 'code')
      cells.push({
        type: 'code',
        source,
        executionCount: typeof raw.execution_count === 'number' ? raw.execution_count : null,
        outputs: (Array.isArray(raw.outputs) ? (raw.outputs as Json[]) : []).map(output).filter((o) => o !== null),
      });
  }
  return { language: language.toLowerCase(), cells };
}

function output(raw: Json): NotebookOutput | null {
  if (!raw || typeof raw !== 'object') return null;
  switch (raw.output_type) {
    case 'stream':
      return { type: 'text', text: text(raw.text).replace(ANSI, ''), stream: raw.name === 'stderr' ? 'stderr' : 'stdout' };
    case 'error':
      return {
        type: 'error',
        name: text(raw.ename),
        value: text(raw.evalue),
        traceback: (Array.isArray(raw.traceback) ? raw.traceback.filter((l) => typeof l === 'string').join('\n') : '').replace(ANSI, ''),
      };
    case 'execute_result':
    case 'display_data':
    case 'pyout':
      return bundle((raw.data ?? {}) as Json);
    default:
      return null;
  }
}

/** The richest representation we render safely, in Jupyter's own order of preference. */
function bundle(data: Json): NotebookOutput | null {
  if (data['text/html'] !== undefined) return { type: 'html', html: text(data['text/html']) };
  if (data['text/markdown'] !== undefined) return { type: 'markdown', text: text(data['text/markdown']) };
  if (data['text/latex'] !== undefined) return { type: 'markdown', text: text(data['text/latex']) };
  if (data['image/svg+xml'] !== undefined) {
    // As an image, never inline: an SVG shown through <img> runs no script and loads nothing.
    const bytes = new TextEncoder().encode(text(data['image/svg+xml']));
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return { type: 'image', src: `data:image/svg+xml;base64,${btoa(binary)}` };
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) {
    const value = text(data[mime]);
    if (value && BASE64.test(value)) return { type: 'image', src: `data:${mime};base64,${value.replace(/\s/g, '')}` };
  }
  if (data['application/json'] !== undefined) return { type: 'text', text: JSON.stringify(data['application/json'], null, 2) };
  if (data['text/plain'] !== undefined) return { type: 'text', text: text(data['text/plain']).replace(ANSI, '') };
  return null;
}

/** A fenced code block that no backtick run inside the code can close early. */
export function fence(code: string, language: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language.replace(/[^\w+-]/g, '')}\n${code}\n${ticks}`;
}
