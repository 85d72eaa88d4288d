import { MEDIA_LIMITS, MediaErrorCode, type ParsedMediaItem } from '@trackbase/contracts';
import sharp from 'sharp';
import { AppError } from '../common/errors/app-error';

/** What the server learned from an item's bytes. */
export interface Decoded {
  contentType: string;
  width?: number;
  height?: number;
  duration?: number;
  sampleRate?: number;
  /** A small WebP the grid shows instead of the original (images, GIFs, PNG figures, SVG figures rasterised) is to be made from the content. */
  needsThumbnail?: boolean;
}

export const undecodable = (message: string) => new AppError(400, MediaErrorCode.MediaUndecodable, message);
export const typeMismatch = (message: string) => new AppError(400, MediaErrorCode.MediaTypeMismatch, message);

const IMAGE_FORMATS: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/avif',
  tiff: 'image/tiff',
};

// Decoding happens in the request; one at a time per process keeps libvips from taking every core.
sharp.concurrency(1);
sharp.cache(false);

function pipeline(bytes: Buffer, options: sharp.SharpOptions = {}) {
  return sharp(bytes, { limitInputPixels: MEDIA_LIMITS.imagePixels, failOn: 'error', ...options });
}

export async function thumbnailOf(bytes: Buffer, options: sharp.SharpOptions = {}): Promise<Buffer> {
  const size = MEDIA_LIMITS.thumbnailSize;
  return pipeline(bytes, options)
    .rotate()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

/**
 * Checks a raster image: its header (format, dimensions, pixel limit), then a full decode of its
 * pixels (`failOn: 'truncated'`, streamed through libvips' statistics so no decoded copy is held),
 * which a truncated or corrupt body fails. The batch refuses such an item (`media_undecodable`)
 * and keeps the rest; the thumbnail is still made in the background job (`thumbnailOf`).
 */
export async function decodeImage(bytes: Buffer, what = 'image'): Promise<Decoded> {
  let metadata: sharp.Metadata;
  try {
    metadata = await pipeline(bytes).metadata();
  } catch (error) {
    throw undecodable(`the ${what} could not be decoded: ${(error as Error).message}`);
  }
  const contentType = metadata.format ? IMAGE_FORMATS[metadata.format] : undefined;
  if (!contentType) {
    throw metadata.format === 'svg'
      ? typeMismatch(`an SVG is a document, not a raster ${what}: log it as a figure (format "svg")`)
      : undecodable(`the ${what} is in a format the server does not take (${metadata.format ?? 'unknown'})`);
  }
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > MEDIA_LIMITS.imagePixels)
    throw new AppError(413, MediaErrorCode.MediaTooLarge, `the ${what} has more than ${MEDIA_LIMITS.imagePixels} pixels`);
  const cut = containerCut(bytes, metadata.format!);
  if (cut) throw undecodable(`the ${what} could not be decoded fully (truncated or corrupt): ${cut}`);
  try {
    await pipeline(bytes, { failOn: 'truncated' }).stats();
  } catch (error) {
    throw undecodable(`the ${what} could not be decoded fully (truncated or corrupt): ${(error as Error).message}`);
  }
  return { contentType, width: metadata.width, height: metadata.height, needsThumbnail: true };
}

/**
 * Why a PNG, JPEG or WebP container ends before its image does (undefined when it is whole), read
 * from its structure alone: a PNG's chunks must reach IEND; a JPEG's segments must reach a scan
 * and the scan an end-of-image marker (entropy-coded data cannot hold 0xFFD9, and APPn segments,
 * EXIF thumbnails with their own markers included, are skipped by length); a WebP's RIFF size must
 * fit the bytes. Deterministic, unlike libvips' truncation warnings, which decoders raise only
 * for what they read (stop 29 saw a cut image pass them once in four CI runs).
 */
export function containerCut(bytes: Buffer, format: string): string | undefined {
  if (format === 'png') {
    let at = 8;
    while (at + 12 <= bytes.length) {
      const length = bytes.readUInt32BE(at);
      const type = ascii(bytes, at + 4, at + 8);
      at += 12 + length;
      if (at > bytes.length) return `the PNG chunk ${type} is cut short`;
      if (type === 'IEND') return undefined;
    }
    return 'the PNG ends before its IEND chunk';
  }
  if (format === 'jpeg') {
    let at = 2;
    while (at + 2 <= bytes.length) {
      if (bytes[at] !== 0xff) return 'the JPEG has bytes where a marker should be';
      const marker = bytes[at + 1]!;
      if (marker === 0xff) {
        at += 1; // fill byte
        continue;
      }
      if (marker === 0xd9) return undefined;
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2;
        continue;
      }
      if (at + 4 > bytes.length) return 'a JPEG segment is cut short';
      const length = bytes.readUInt16BE(at + 2);
      if (at + 2 + length > bytes.length) return 'a JPEG segment is cut short';
      if (marker === 0xda) {
        // Scan data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
        at += 2 + length;
        while (at + 1 < bytes.length && !(bytes[at] === 0xff && bytes[at + 1] !== 0x00 && (bytes[at + 1]! < 0xd0 || bytes[at + 1]! > 0xd7)))
          at++;
        if (at + 1 >= bytes.length) return 'the JPEG scan data is cut short';
        continue;
      }
      at += 2 + length;
    }
    return 'the JPEG ends before its end-of-image marker';
  }
  if (format === 'webp' && bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF') {
    if (bytes.readUInt32LE(4) + 8 > bytes.length) return 'the WebP is shorter than its RIFF header says';
  }
  return undefined;
}

/** Decodes an image fully and makes its thumbnail; a failure is `media_undecodable` (or `media_too_large`). */
export async function makeThumbnail(bytes: Buffer, what = 'image'): Promise<Buffer> {
  try {
    return await thumbnailOf(bytes);
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message))
      throw new AppError(413, MediaErrorCode.MediaTooLarge, `the ${what} has more than ${MEDIA_LIMITS.imagePixels} pixels`);
    throw undecodable(`the ${what} could not be decoded: ${message}`);
  }
}

/** A mask must be a PNG class map of the image's size. */
export async function checkMask(bytes: Buffer, name: string, width: number | undefined, height: number | undefined): Promise<void> {
  let metadata: sharp.Metadata;
  try {
    metadata = await pipeline(bytes).metadata();
    await pipeline(bytes).raw().toBuffer();
  } catch (error) {
    throw undecodable(`mask "${name}" could not be decoded: ${(error as Error).message}`);
  }
  if (metadata.format !== 'png') throw typeMismatch(`mask "${name}" must be a PNG class map, not ${metadata.format}`);
  if (width !== undefined && (metadata.width !== width || metadata.height !== height)) {
    throw new AppError(
      400,
      MediaErrorCode.InvalidMediaItem,
      `mask "${name}" is ${metadata.width}×${metadata.height}, the image ${width}×${height}`,
    );
  }
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.subarray(start, end).toString('latin1');
}

/** WAV: RIFF header, `fmt ` chunk (sample rate), `data` chunk (length → duration). */
function decodeWav(bytes: Buffer): Decoded {
  let offset = 12;
  let sampleRate: number | undefined;
  let byteRate: number | undefined;
  let dataBytes: number | undefined;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 20 <= bytes.length) {
      sampleRate = bytes.readUInt32LE(offset + 12);
      byteRate = bytes.readUInt32LE(offset + 16);
    } else if (id === 'data') {
      dataBytes = Math.min(size, bytes.length - offset - 8);
      break;
    }
    offset += 8 + size + (size % 2);
  }
  if (!sampleRate || dataBytes === undefined) throw undecodable('the WAV file has no fmt or data chunk');
  return { contentType: 'audio/wav', sampleRate, duration: byteRate ? dataBytes / byteRate : undefined };
}

export function sniffAudio(bytes: Buffer): Decoded {
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WAVE') return decodeWav(bytes);
  if (ascii(bytes, 0, 4) === 'OggS') return { contentType: 'audio/ogg' };
  if (ascii(bytes, 0, 4) === 'fLaC') return { contentType: 'audio/flac' };
  if (ascii(bytes, 0, 3) === 'ID3' || (bytes.length > 1 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0))
    return { contentType: 'audio/mpeg' };
  throw undecodable('the audio is not WAV, MP3, OGG or FLAC');
}

export async function sniffVideo(bytes: Buffer): Promise<Decoded> {
  if (ascii(bytes, 4, 8) === 'ftyp') return { contentType: 'video/mp4' };
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return { contentType: 'video/webm' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') {
    const gif = await decodeImage(bytes, 'GIF');
    return { ...gif, contentType: 'image/gif' };
  }
  throw undecodable('the video is not MP4, WebM or GIF');
}

function utf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw undecodable(`the ${what} is not UTF-8 text`);
  }
}

export function sniffHtml(bytes: Buffer): Decoded {
  utf8(bytes, 'HTML document');
  return { contentType: 'text/html; charset=utf-8' };
}

/** Figures: Plotly and Vega-Lite specifications (JSON objects), SVG documents, PNG renderings. */
export async function sniffFigure(bytes: Buffer, format: ParsedMediaItem['format']): Promise<Decoded> {
  switch (format) {
    case 'plotly':
    case 'vega-lite': {
      let spec: unknown;
      try {
        spec = JSON.parse(utf8(bytes, `${format} specification`));
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw undecodable(`the ${format} specification is not JSON`);
      }
      if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw undecodable(`the ${format} specification must be a JSON object`);
      return { contentType: 'application/json' };
    }
    case 'svg': {
      const text = utf8(bytes, 'SVG');
      if (!/<svg[\s>]/i.test(text)) throw typeMismatch('the figure is not an SVG document');
      // Rasterised later by the thumbnail job (librsvg runs no scripts and fetches nothing) so the grid shows pixels, never the document.
      let width: number | undefined;
      let height: number | undefined;
      try {
        const metadata = await pipeline(bytes).metadata();
        width = metadata.width;
        height = metadata.height;
      } catch (error) {
        throw undecodable(`the SVG could not be rendered: ${(error as Error).message}`);
      }
      return { contentType: 'image/svg+xml', width, height, needsThumbnail: true };
    }
    case 'png': {
      const png = await decodeImage(bytes, 'figure');
      if (png.contentType !== 'image/png') throw typeMismatch(`the figure is ${png.contentType}, not PNG`);
      return png;
    }
    default:
      throw new AppError(400, MediaErrorCode.InvalidMediaItem, 'a figure needs a format: plotly, vega-lite, svg or png');
  }
}

export async function decodeContent(item: ParsedMediaItem, bytes: Buffer): Promise<Decoded> {
  switch (item.type) {
    case 'image':
      return decodeImage(bytes);
    case 'audio':
      return sniffAudio(bytes);
    case 'video':
      return sniffVideo(bytes);
    case 'html':
      return sniffHtml(bytes);
    case 'figure':
      return sniffFigure(bytes, item.format);
    default:
      throw new AppError(400, MediaErrorCode.InvalidMediaItem, `items of type ${item.type} carry data, not a content object`);
  }
}
