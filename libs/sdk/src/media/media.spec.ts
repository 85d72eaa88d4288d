import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { declarationOf } from '../files/upload-files';
import { fileSource } from '../files/file-source';
import { encodePng, Histogram, Image, sniffImage, toPixels } from './media';
import { confusionMatrix, prCurve, rocCurve } from './plot';

/** The pixels of a PNG written by `encodePng` (filter 0 rows, one IDAT). */
function decodePng(png: Buffer): { width: number; height: number; rows: Buffer[] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const length = png.readUInt32BE(33);
  expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
  const raw = inflateSync(png.subarray(41, 41 + length));
  const stride = raw.length / height;
  return { width, height, rows: Array.from({ length: height }, (_, y) => raw.subarray(y * stride + 1, (y + 1) * stride)) };
}

describe('media values', () => {
  it('encodes HWC, CHW and float pixels to the same PNG', () => {
    const hwc = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
    const chw = new Uint8Array(hwc.length);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < 3; c++) chw[c * 6 + y * 3 + x] = hwc[(y * 3 + x) * 3 + c]!;
    const a = toPixels({ data: hwc, width: 3, height: 2, channels: 3 });
    const b = toPixels({ data: chw, width: 3, height: 2, channels: 3, layout: 'chw' });
    const c = toPixels({ data: Float32Array.from(hwc, (v) => v / 255), width: 3, height: 2, channels: 3 });
    expect([...b.data]).toEqual([...a.data]);
    expect([...c.data]).toEqual([...a.data]);
    const png = encodePng(a.data, 3, 2, 3);
    expect(sniffImage(png)).toBe('image/png');
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([3, 2]);
    expect([...Buffer.concat(decoded.rows)]).toEqual([...hwc]);
    expect(() => toPixels({ data: new Uint8Array(5), width: 3, height: 2 })).toThrow(/need 6 values/);
    expect(() => toPixels({ data: Float32Array.from([NaN]), width: 1, height: 1 })).toThrow(/NaN/);
  });

  it('an image from pixels declares its boxes and encodes its masks as PNG class maps', () => {
    const image = new Image(
      { data: new Uint8Array(4 * 2), width: 4, height: 2 },
      {
        caption: 'c',
        boxes: { pred: { coordinates: 'pixel', format: 'xyxy', boxes: [{ box: [0, 0, 1, 1], classId: 1 }] } },
        masks: { seg: { mask: [0, 1, 1, 0, 2, 2, 0, 0], classNames: { '2': 'road' } } },
      },
    );
    const { fields, blobs } = image.prepare();
    expect(fields).toMatchObject({
      type: 'image',
      caption: 'c',
      masks: { seg: { size: blobs[1]!.bytes.length, classNames: { '2': 'road' } } },
    });
    expect([...Buffer.concat(decodePng(Buffer.from(blobs[1]!.bytes)).rows)]).toEqual([0, 1, 1, 0, 2, 2, 0, 0]);
  });

  it('bins histograms and computes evaluation charts', () => {
    expect(new Histogram([0, 1, 1, 2, NaN], { bins: 2 }).data).toEqual({ counts: [1, 3], edges: [0, 1, 2] });
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], ['a', 'b', 'c']).data).toEqual({
      classNames: ['a', 'b', 'c'],
      matrix: [
        [1, 0, 0],
        [0, 1, 1],
        [0, 0, 1],
      ],
    });
    const roc = rocCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).data as { curves: Array<{ auc: number }> };
    expect(roc.curves[0]!.auc).toBeCloseTo(1);
    const inverted = rocCurve([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]).data as { curves: Array<{ auc: number }> };
    expect(inverted.curves[0]!.auc).toBeCloseTo(0);
    const pr = prCurve(
      [0, 1, 1, 1],
      [
        [0.9, 0.1],
        [0.2, 0.8],
        [0.6, 0.4],
        [0.3, 0.7],
      ],
      ['neg', 'pos'],
    ).data as {
      curves: Array<{ className: string; auc: number }>;
    };
    expect(pr.curves.map((c) => c.className)).toEqual(['neg', 'pos']);
    expect(pr.curves[1]!.auc).toBeCloseTo(1);
  });
});

describe('uploaded files', () => {
  it('declare their content type by extension, as the Python SDK does', () => {
    const file = (remotePath: string) =>
      declarationOf({ localPath: 'x', remotePath, size: 1, sha256: 'a'.repeat(64), source: fileSource('x') });
    expect(file('plots/loss.PNG').contentType).toBe('image/png');
    expect(file('eval/preds.csv').contentType).toBe('text/csv');
    expect(file('weights.bin').contentType).toBeUndefined();
    expect(file('v1.0/README').contentType).toBeUndefined();
  });
});
