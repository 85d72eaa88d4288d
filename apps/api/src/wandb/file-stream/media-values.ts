import { MEDIA_LIMITS, TABLE_LIMITS } from '@trackbase/contracts';

/**
 * Media the `wandb` client logs in a history row, as it writes them
 * (`wandb.Image`, a list of images, `wandb.Histogram`, `wandb.Table`):
 *
 * - `{"_type": "image-file", "path": "media/images/…png", "sha256", "size", "width", "height", "caption"?}`
 * - `{"_type": "images/separated", "filenames": [path…], "captions": [...]?, "count", …}` (a list under one key)
 * - `{"_type": "histogram", "values": counts, "bins": edges}` or `"packedBins": {"min", "size", "count"}`
 * - `{"_type": "table-file", "path": "media/table/….table.json", "sha256", "size", "ncols", "nrows"}`
 *
 * Files are named by their path among the run's files (uploaded apart from the
 * row, before or after it); histograms carry their data inline.
 */
export type WandbMediaRef =
  | { kind: 'image'; key: string; index: number; path: string; caption?: string }
  | { kind: 'table'; key: string; path: string }
  | { kind: 'histogram'; key: string; edges: number[]; counts: number[] };

/** A media value of a history row with the row's step and time. */
export type PlacedMediaRef = WandbMediaRef & { step: number; time: number };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));
const mediaPath = (v: unknown): v is string => typeof v === 'string' && v.startsWith('media/') && v.length <= 1024;
const caption = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, MEDIA_LIMITS.captionLength) : undefined);

/** The media values of a row, by flattened key (`{"a": {"img": …}}` → `a.img`); W&B's own `_` keys are skipped. */
export function mediaValues(row: Record<string, unknown>, prefix = '', out: WandbMediaRef[] = []): WandbMediaRef[] {
  for (const [name, value] of Object.entries(row)) {
    if (!prefix && name.startsWith('_')) continue;
    if (!isObject(value)) continue;
    const key = prefix ? `${prefix}.${name}` : name;
    if (!('_type' in value)) {
      mediaValues(value, key, out);
      continue;
    }
    if (key.length > MEDIA_LIMITS.keyLength || key.length > TABLE_LIMITS.keyLength) continue;
    const ref = mediaValue(key, value);
    if (ref) out.push(...ref);
  }
  return out;
}

function mediaValue(key: string, value: Record<string, unknown>): WandbMediaRef[] | null {
  switch (value._type) {
    case 'image-file':
      return mediaPath(value.path) ? [{ kind: 'image', key, index: 0, path: value.path, caption: caption(value.caption) }] : null;
    case 'images/separated': {
      const files = Array.isArray(value.filenames) ? value.filenames.slice(0, MEDIA_LIMITS.itemsPerStep) : [];
      const captions = Array.isArray(value.captions) ? value.captions : [];
      return files.flatMap((path, index): WandbMediaRef[] =>
        mediaPath(path) ? [{ kind: 'image', key, index, path, caption: caption(captions[index]) }] : [],
      );
    }
    case 'table-file':
      return mediaPath(value.path) ? [{ kind: 'table', key, path: value.path }] : null;
    case 'histogram': {
      const histogram = histogramOf(value);
      return histogram ? [{ kind: 'histogram', key, ...histogram }] : null;
    }
    default:
      return null;
  }
}

/** `values` are the counts; the edges are `bins` (one more than the counts) or spread evenly from `packedBins`. */
export function histogramOf(value: Record<string, unknown>): { edges: number[]; counts: number[] } | null {
  const counts = value.values;
  if (!isNumbers(counts) || counts.length === 0 || counts.some((c) => c < 0)) return null;
  let edges: unknown = value.bins;
  const packed = value.packedBins;
  if (edges === undefined && isObject(packed)) {
    const { min, size, count } = packed;
    if (typeof min !== 'number' || typeof size !== 'number' || typeof count !== 'number' || !Number.isSafeInteger(count)) return null;
    edges = Array.from({ length: count + 1 }, (_, i) => min + i * size);
  }
  if (!isNumbers(edges) || edges.length !== counts.length + 1) return null;
  return { edges, counts };
}
