import { MEDIA_LIMITS, TABLE_LIMITS } from '@trackbase/contracts';

/**
 * Media the `wandb` client logs in a history row, as it writes them
 * (`wandb.Image`, a list of images, `wandb.Histogram`, `wandb.Table`):
 *
 * - `{"_type": "image-file", "path": "media/images/…png", "sha256", "size", "width", "height", "caption"?}`
 * - `{"_type": "images/separated", "filenames": [path…], "captions": [...]?, "count", …}` (a list under one key)
 * - `{"_type": "histogram", "values": counts, "bins": edges}` or `"packedBins": {"min", "size", "count"}`
 * - `{"_type": "table-file", "path": "media/table/….table.json", "sha256", "size", "ncols", "nrows"}`
 * - an image's `boxes: {group: {"_type": "boxes2D", "path": "media/metadata/boxes2D/….boxes2D.json"}}` (the
 *   file holds `{"box_data": [...], "class_labels": {...}}`) and `masks: {group: {"_type": "mask", "path":
 *   "media/images/mask/….mask.png"}}` (a PNG class map); a list carries them as `all_boxes` / `all_masks`, one
 *   entry (or null) per image
 * - `{"_type": "audio-file" | "video-file" | "html-file" | "plotly-file", "path", "sha256", "size", "caption"?}`,
 *   and their lists `{"_type": "audio", "audio": [...]}`, `{"_type": "videos", "videos": [...]}`,
 *   `{"_type": "html", "html": [...]}`
 *
 * Files are named by their path among the run's files (uploaded apart from the
 * row, before or after it); histograms carry their data inline.
 */
export type FileMediaType = 'audio' | 'video' | 'html' | 'figure';
export type WandbMediaRef =
  | {
      kind: 'image';
      key: string;
      index: number;
      path: string;
      caption?: string;
      /** Box groups and masks by group name: the paths of their files. */
      boxes?: Record<string, string>;
      masks?: Record<string, string>;
    }
  | { kind: 'file'; type: FileMediaType; key: string; index: number; path: string; caption?: string }
  | { kind: 'table'; key: string; path: string }
  | { kind: 'histogram'; key: string; edges: number[]; counts: number[] };

/** The run files a reference needs stored before it can become a media item. */
export function pathsOf(ref: WandbMediaRef): string[] {
  if (ref.kind === 'histogram') return [];
  if (ref.kind !== 'image') return [ref.path];
  return [ref.path, ...Object.values(ref.boxes ?? {}), ...Object.values(ref.masks ?? {})];
}

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

const FILE_TYPES: Record<string, FileMediaType> = {
  'audio-file': 'audio',
  'video-file': 'video',
  'html-file': 'html',
  'plotly-file': 'figure',
};
/** Lists of file media: their `_type` and the field holding the items. */
const FILE_LISTS: Record<string, string> = { audio: 'audio', videos: 'videos', html: 'html' };

/** Box groups or masks of an image (`{group: {"path": …}}`), by group name; the group names our media items take. */
function groupPaths(v: unknown, type: string): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [group, entry] of Object.entries(v).slice(0, 100)) {
    if (group.length < 1 || group.length > 100 || !isObject(entry) || entry._type !== type || !mediaPath(entry.path)) continue;
    out[group] = entry.path;
  }
  return Object.keys(out).length ? out : undefined;
}

function imageRef(
  key: string,
  index: number,
  path: string,
  captionText: unknown,
  boxes: unknown,
  masks: unknown,
): WandbMediaRef & { kind: 'image' } {
  const ref: WandbMediaRef & { kind: 'image' } = { kind: 'image', key, index, path, caption: caption(captionText) };
  const boxPaths = groupPaths(boxes, 'boxes2D');
  const maskPaths = groupPaths(masks, 'mask');
  if (boxPaths) ref.boxes = boxPaths;
  if (maskPaths) ref.masks = maskPaths;
  return ref;
}

function mediaValue(key: string, value: Record<string, unknown>): WandbMediaRef[] | null {
  const type = typeof value._type === 'string' ? value._type : '';
  if (FILE_TYPES[type]) {
    return mediaPath(value.path)
      ? [{ kind: 'file', type: FILE_TYPES[type], key, index: 0, path: value.path, caption: caption(value.caption) }]
      : null;
  }
  if (FILE_LISTS[type] && Array.isArray(value[FILE_LISTS[type]])) {
    const entries = (value[FILE_LISTS[type]] as unknown[]).slice(0, MEDIA_LIMITS.itemsPerStep);
    const captions = Array.isArray(value.captions) ? value.captions : [];
    return entries.flatMap((entry, index): WandbMediaRef[] => {
      if (!isObject(entry) || typeof entry._type !== 'string' || !FILE_TYPES[entry._type] || !mediaPath(entry.path)) return [];
      return [
        { kind: 'file', type: FILE_TYPES[entry._type], key, index, path: entry.path, caption: caption(entry.caption ?? captions[index]) },
      ];
    });
  }
  switch (type) {
    case 'image-file':
      return mediaPath(value.path) ? [imageRef(key, 0, value.path, value.caption, value.boxes, value.masks)] : null;
    case 'images/separated': {
      const files = Array.isArray(value.filenames) ? value.filenames.slice(0, MEDIA_LIMITS.itemsPerStep) : [];
      const captions = Array.isArray(value.captions) ? value.captions : [];
      const allBoxes = Array.isArray(value.all_boxes) ? value.all_boxes : [];
      const allMasks = Array.isArray(value.all_masks) ? value.all_masks : [];
      return files.flatMap((path, index): WandbMediaRef[] =>
        mediaPath(path) ? [imageRef(key, index, path, captions[index], allBoxes[index], allMasks[index])] : [],
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
