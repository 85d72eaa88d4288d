import { contentTypeOfPath, STORAGE_LIMITS, type FilePreview } from '@trackbase/contracts';
import { parse } from 'csv-parse/sync';

/** An image's content type by its extension, or undefined. */
function imageType(path: string): string | undefined {
  const type = contentTypeOfPath(path);
  return type?.startsWith('image/') ? type : undefined;
}
const TEXT_EXTENSIONS = new Set(
  'txt log md rst py ipynb yaml yml toml cfg ini conf sh ts js jsx tsx json jsonl ndjson csv tsv xml html css sql r jl go rs java c h cpp hpp env gitignore'.split(
    ' ',
  ),
);

/** The content type a file is served with when the client declared none: by extension. */
export function contentTypeFor(path: string, declared: string): string {
  if (declared !== 'application/octet-stream') return declared;
  const ext = extension(path);
  const image = imageType(path);
  if (image) return image;
  if (ext === 'json') return 'application/json';
  if (ext === 'csv') return 'text/csv';
  if (ext === 'tsv') return 'text/tab-separated-values';
  if (TEXT_EXTENSIONS.has(ext)) return 'text/plain';
  return declared;
}

export type PreviewKind = FilePreview['kind'];

export function previewKind(path: string, contentType: string): PreviewKind {
  const ext = extension(path);
  if (contentType.startsWith('image/') || imageType(path)) return 'image';
  if (ext === 'csv' || ext === 'tsv' || contentType.startsWith('text/csv') || contentType.startsWith('text/tab-separated-values'))
    return 'csv';
  if (ext === 'json' || contentType.startsWith('application/json')) return 'json';
  if (contentType.startsWith('text/') || TEXT_EXTENSIONS.has(ext)) return 'text';
  return 'binary';
}

/**
 * Builds the preview of a file from its first bytes. Text that turns out not
 * to be UTF-8 (or holds NUL bytes) is shown as binary; CSV rows are parsed
 * leniently and the last, possibly cut, line is dropped when truncated.
 */
export function buildPreview(file: { path: string; size: number; contentType: string }, head: Buffer | null, url: string): FilePreview {
  const base = { path: file.path, contentType: file.contentType, size: file.size, url };
  let kind = previewKind(file.path, file.contentType);
  if (kind === 'image' || kind === 'binary' || !head) return { ...base, kind: kind === 'image' ? 'image' : 'binary', truncated: false };
  const truncated = file.size > head.length;
  const text = decodeUtf8(head, truncated);
  if (text === null) return { ...base, kind: 'binary', truncated: false };
  if (kind === 'json' && !truncated) {
    try {
      return { ...base, kind, text: JSON.stringify(JSON.parse(text), null, 2).slice(0, STORAGE_LIMITS.previewBytes), truncated };
    } catch {
      kind = 'text';
    }
  }
  if (kind === 'csv') {
    const body = truncated ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text;
    const delimiter = extension(file.path) === 'tsv' || file.contentType.startsWith('text/tab-separated-values') ? '\t' : ',';
    try {
      const limit = STORAGE_LIMITS.previewRows;
      const rows: string[][] = parse(body, {
        delimiter,
        relax_column_count: true,
        relax_quotes: true,
        to_line: limit + 1,
        skip_empty_lines: true,
        bom: true,
      });
      return { ...base, kind, text, rows: rows.slice(0, limit), truncated: truncated || rows.length > limit };
    } catch {
      return { ...base, kind: 'text', text, truncated };
    }
  }
  return { ...base, kind, text, truncated };
}

function extension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name.toLowerCase() : name.slice(dot + 1).toLowerCase();
}

/** UTF-8 text, or null for binary. A multi-byte character cut at the end of a truncated head is dropped. */
function decodeUtf8(head: Buffer, truncated: boolean): string | null {
  if (head.includes(0)) return null;
  let end = head.length;
  if (truncated) {
    // Back off over continuation bytes to a character boundary.
    let i = end - 1;
    while (i >= 0 && i > end - 4 && (head[i]! & 0xc0) === 0x80) i--;
    if (i >= 0 && head[i]! >= 0xc0) end = i;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
  } catch {
    return null;
  }
}
