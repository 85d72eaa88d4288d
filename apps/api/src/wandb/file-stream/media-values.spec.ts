import { describe, expect, it } from 'vitest';
import { histogramOf, mediaValues } from './media-values';
import { wandbTableDocument } from './wandb-table';

describe('W&B media values in history rows', () => {
  it('finds images, image lists, histograms and tables by flattened key, skipping W&B keys and numbers', () => {
    const refs = mediaValues({
      _step: 3,
      loss: 0.5,
      img: { _type: 'image-file', path: 'media/images/img_3_ab.png', sha256: 'x', size: 10, caption: 'cat' },
      eval: { batch: { _type: 'images/separated', filenames: ['media/images/a.png', 'media/images/b.png'], captions: ['a', 'b'] } },
      hist: { _type: 'histogram', values: [1, 2], bins: [0, 1, 2] },
      t: { _type: 'table-file', path: 'media/table/t_3_cd.table.json' },
      other: { _type: 'audio-file', path: 'media/audio/x.wav' },
    });
    expect(refs).toEqual([
      { kind: 'image', key: 'img', index: 0, path: 'media/images/img_3_ab.png', caption: 'cat' },
      { kind: 'image', key: 'eval.batch', index: 0, path: 'media/images/a.png', caption: 'a' },
      { kind: 'image', key: 'eval.batch', index: 1, path: 'media/images/b.png', caption: 'b' },
      { kind: 'histogram', key: 'hist', edges: [0, 1, 2], counts: [1, 2] },
      { kind: 'table', key: 't', path: 'media/table/t_3_cd.table.json' },
    ]);
  });

  it('refuses file references outside media/ and malformed histograms', () => {
    expect(mediaValues({ img: { _type: 'image-file', path: '../etc/passwd' } })).toEqual([]);
    expect(histogramOf({ values: [1, 2], bins: [0, 1] })).toBeNull();
    expect(histogramOf({ values: [1, -2], bins: [0, 1, 2] })).toBeNull();
    expect(histogramOf({ values: [1, 2], packedBins: { min: -1, size: 0.5, count: 2 } })).toEqual({ edges: [-1, -0.5, 0], counts: [1, 2] });
  });
});

describe('W&B tables as Trackbase table documents', () => {
  it('turns rows into typed columns, keeps NaN, and writes other cells as JSON text', () => {
    const doc = wandbTableDocument(
      Buffer.from(
        '{"columns": ["id", "Label", "label", "score", "ok", "img"], "data": [[1, "cat", "x", 0.5, true, {"_type": "image-file"}], [2, null, "y", NaN, false, null]]}',
      ),
    );
    expect(doc.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'Label', type: 'string' },
      { name: 'label_2', type: 'string' },
      { name: 'score', type: 'number' },
      { name: 'ok', type: 'bool' },
      { name: 'img', type: 'string' },
    ]);
    expect(doc.rowCount).toBe(2);
    expect(doc.data).toEqual([
      [1, 2],
      ['cat', null],
      ['x', 'y'],
      [0.5, 'NaN'],
      [true, false],
      ['{"_type":"image-file"}', null],
    ]);
  });

  it('refuses ragged rows', () => {
    expect(() => wandbTableDocument(Buffer.from('{"columns": ["a", "b"], "data": [[1]]}'))).toThrow(/2 cells/);
  });
});
