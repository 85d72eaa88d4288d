import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import type { BoxGroup, MediaItem } from '@trackbase/contracts';

/** One content object an item references: its bytes and content type. */
export interface Blob {
  bytes: Uint8Array;
  contentType: string;
}

/** What a media value declares (besides key, step, time and index) and the objects to upload; the first blob is its own content. */
export interface PreparedMedia {
  fields: Omit<MediaItem, 'key' | 'step' | 'time' | 'index'>;
  blobs: Blob[];
}

/** Pixels as typed arrays: `data` holds `height × width × channels` values, row by row (HWC), or CHW with `layout: 'chw'`. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | Uint16Array;
  width: number;
  height: number;
  channels?: 1 | 3 | 4;
  layout?: 'hwc' | 'chw';
}

/** A value `run.log` stores as a media item. */
export abstract class Media {
  abstract prepare(): PreparedMedia;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function sniffImage(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 12));
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}

function chunk(kind: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(kind, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, tail]);
}

/** A PNG of 8-bit (or 16-bit grayscale) pixels, HWC. */
export function encodePng(data: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Buffer {
  const depth = data instanceof Uint16Array ? 2 : 1;
  const stride = width * channels * depth;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    if (depth === 1) raw.set(data.subarray(y * width * channels, (y + 1) * width * channels), row);
    else for (let i = 0; i < width * channels; i++) raw.writeUInt16BE(data[y * width * channels + i]!, row + i * 2);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth * 8;
  header[9] = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 8-bit HWC pixels from typed arrays: floats are taken in [0, 1] (clipped), CHW transposed. */
export function toPixels(p: Pixels): { data: Uint8Array; channels: 1 | 3 | 4 } {
  const channels = p.channels ?? 1;
  const n = p.width * p.height * channels;
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 1 || p.height < 1)
    throw new RangeError('an image has a positive integer width and height');
  if (p.data.length !== n) throw new RangeError(`${p.width}×${p.height}×${channels} pixels need ${n} values, got ${p.data.length}`);
  const float = p.data instanceof Float32Array || p.data instanceof Float64Array;
  const out = new Uint8Array(n);
  const plane = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const source = p.layout === 'chw' ? (i % channels) * plane + Math.floor(i / channels) : i;
    const v = p.data[source]!;
    if (float) {
      if (!Number.isFinite(v)) throw new RangeError('an image holds NaN or infinities');
      out[i] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    } else {
      if (v > 255) throw new RangeError('integer pixel values lie in 0..255; pass floats in [0, 1] otherwise');
      out[i] = v;
    }
  }
  return { data: out, channels };
}

function readBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? readFileSync(data) : Uint8Array.from(data);
}

export interface ImageOptions {
  caption?: string;
  /** Per group: boxes in pixels or fractions, `xyxy` or `xywh`, class ids with names. */
  boxes?: Record<string, BoxGroup>;
  /** Per group: a class id per pixel (the image's width × height, row by row) and class names. */
  masks?: Record<string, { mask: Uint8Array | Uint16Array | Int32Array | number[]; classNames?: Record<string, string> }>;
}

/** An image from PNG/JPEG/WebP/GIF bytes, a file path (read now), or typed-array pixels. */
export class Image extends Media {
  private readonly blob: Blob;
  private readonly size: { width: number; height: number } | undefined;

  constructor(
    data: Uint8Array | string | Pixels,
    private readonly options: ImageOptions = {},
  ) {
    super();
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = readBytes(data);
      this.blob = { bytes, contentType: sniffImage(bytes) };
    } else {
      const { data: pixels, channels } = toPixels(data);
      this.blob = { bytes: encodePng(pixels, data.width, data.height, channels), contentType: 'image/png' };
      this.size = { width: data.width, height: data.height };
    }
  }

  prepare(): PreparedMedia {
    const blobs = [this.blob];
    const fields: PreparedMedia['fields'] = { type: 'image' };
    if (this.options.caption !== undefined) fields.caption = this.options.caption;
    if (this.options.boxes) fields.boxes = this.options.boxes;
    if (this.options.masks) {
      fields.masks = {};
      for (const [name, { mask, classNames }] of Object.entries(this.options.masks)) {
        if (!this.size) throw new TypeError(`mask "${name}": masks need an image given as pixels (its size)`);
        let max = 0;
        for (const v of mask as ArrayLike<number> & Iterable<number>) if (v > max) max = v;
        const ids = max > 255 ? Uint16Array.from(mask) : Uint8Array.from(mask);
        const png = encodePng(ids, this.size.width, this.size.height, 1);
        blobs.push({ bytes: png, contentType: 'image/png' });
        fields.masks[name] = { sha256: sha256Hex(png), size: png.length, ...(classNames ? { classNames } : {}) };
      }
    }
    return { fields, blobs };
  }
}

/** A media value whose content is one file: audio, video, HTML, SVG or figure specifications. */
class FileMedia extends Media {
  constructor(
    private readonly fields: PreparedMedia['fields'],
    private readonly blob: Blob,
  ) {
    super();
  }

  prepare(): PreparedMedia {
    return { fields: this.fields, blobs: [this.blob] };
  }
}

/** Audio: WAV/MP3/OGG/FLAC bytes or a file path. */
export class Audio extends FileMedia {
  constructor(data: Uint8Array | string, options: { sampleRate?: number; caption?: string } = {}) {
    super({ type: 'audio', ...options }, { bytes: readBytes(data), contentType: 'application/octet-stream' });
  }
}

/** A video: MP4, WebM or GIF bytes or a file path. */
export class Video extends FileMedia {
  constructor(data: Uint8Array | string, options: { caption?: string } = {}) {
    super({ type: 'video', ...options }, { bytes: readBytes(data), contentType: 'application/octet-stream' });
  }
}

/** An HTML document (its text); the web app shows it only in a sandboxed frame. */
export class Html extends FileMedia {
  constructor(html: string, options: { caption?: string } = {}) {
    super({ type: 'html', ...options }, { bytes: Buffer.from(html), contentType: 'text/html' });
  }
}

/** A Plotly or Vega-Lite specification (an object), or an SVG document (a string). */
export class Figure extends FileMedia {
  constructor(figure: Record<string, unknown> | string, options: { caption?: string; format?: 'plotly' | 'vega-lite' | 'svg' } = {}) {
    const format =
      options.format ?? (typeof figure === 'string' ? 'svg' : String(figure.$schema ?? '').includes('vega-lite') ? 'vega-lite' : 'plotly');
    const bytes = Buffer.from(typeof figure === 'string' ? figure : JSON.stringify(figure));
    super(
      { type: 'figure', format, ...(options.caption !== undefined ? { caption: options.caption } : {}) },
      { bytes, contentType: format === 'svg' ? 'image/svg+xml' : 'application/json' },
    );
  }
}

/** A media value carried as typed data: Markdown, histograms, evaluation charts. */
export class DataMedia extends Media {
  constructor(
    readonly type: 'markdown' | 'histogram' | 'confusion_matrix' | 'roc_curve' | 'pr_curve',
    readonly data: Record<string, unknown>,
    readonly caption?: string,
  ) {
    super();
  }

  prepare(): PreparedMedia {
    return { fields: { type: this.type, data: this.data, ...(this.caption !== undefined ? { caption: this.caption } : {}) }, blobs: [] };
  }
}

export class Markdown extends DataMedia {
  constructor(text: string, options: { caption?: string } = {}) {
    super('markdown', { text }, options.caption);
  }
}

/** A distribution at a step, from values (binned into `bins`) or precomputed `{ counts, edges }`. */
export class Histogram extends DataMedia {
  constructor(values: ArrayLike<number> | { counts: number[]; edges: number[] }, options: { bins?: number } = {}) {
    if ('counts' in values) {
      super('histogram', { counts: [...values.counts], edges: [...values.edges] });
      return;
    }
    const finite = Array.from(values).filter(Number.isFinite);
    const bins = options.bins ?? 64;
    let lo = finite.length ? Math.min(...finite) : 0;
    let hi = finite.length ? Math.max(...finite) : 1;
    if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
    const width = (hi - lo) / bins;
    const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
    const counts = new Array<number>(bins).fill(0);
    for (const v of finite) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    super('histogram', { counts, edges });
  }
}

export function isMedia(value: unknown): value is Media | Media[] {
  return value instanceof Media || (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Media));
}
