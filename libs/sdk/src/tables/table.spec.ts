import { describe, expect, it } from 'vitest';
import { Image } from '../media/media';
import { Table } from './table';

const pixels = (value: number) => ({ data: new Uint8Array(4 * 2 * 3).fill(value), width: 4, height: 2, channels: 3 as const });

describe('Table image cells with captions, boxes and masks', () => {
  it('writes annotated cells as <sha256>#<n> with the annotations in the document, masks uploaded beside the images', () => {
    const boxes = {
      pred: {
        coordinates: 'pixel' as const,
        format: 'xyxy' as const,
        classNames: { '0': 'cat' },
        boxes: [{ box: [0, 0, 2, 1] as [number, number, number, number], classId: 0, score: 0.5 }],
      },
    };
    const table = new Table({
      columns: ['id', 'img'],
      rows: [
        [1, new Image(pixels(10), { caption: 'boxed', boxes })],
        [2, new Image(pixels(10))],
        [3, new Image(pixels(20), { masks: { seg: { mask: [1, 1, 0, 0, 1, 1, 0, 0], classNames: { '1': 'road' } } } })],
      ],
    });
    const doc = JSON.parse(table.toDocument().toString('utf8'));
    const [first, plain, third] = doc.data[1] as string[];
    expect(first).toMatch(/^[0-9a-f]{64}#0$/);
    expect(plain).toMatch(/^[0-9a-f]{64}$/);
    expect(first!.split('#')[0]).toBe(plain);
    expect(third).toMatch(/^[0-9a-f]{64}#1$/);
    expect(doc.annotations.img[0]).toEqual({ caption: 'boxed', boxes });
    const mask = doc.annotations.img[1].masks.seg;
    expect(mask.classNames).toEqual({ '1': 'road' });
    // Two images and the mask's PNG, each once.
    expect(table.media.map((m) => m.sha256).sort()).toEqual([plain, third!.split('#')[0], mask.sha256].sort());
  });

  it('a table without annotated cells has no annotations', () => {
    const doc = JSON.parse(new Table({ columns: ['img'], rows: [[new Image(pixels(1))]] }).toDocument().toString('utf8'));
    expect(doc.annotations).toBeUndefined();
    expect(doc.data[0][0]).toMatch(/^[0-9a-f]{64}$/);
  });
});
