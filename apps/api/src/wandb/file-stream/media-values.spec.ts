import { describe, expect, it } from 'vitest';
import { histogramOf, mediaValues, pathsOf } from './media-values';
import { wandbBoxGroup } from './wandb-boxes';
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
      { kind: 'file', type: 'audio', key: 'other', index: 0, path: 'media/audio/x.wav' },
    ]);
  });

  it('finds audio, video, HTML (one or a list), plotly figures, and the box and mask files of images', () => {
    const refs = mediaValues({
      a: { _type: 'audio-file', path: 'media/audio/a.wav', caption: 'tone' },
      v: { _type: 'video-file', path: 'media/videos/v.gif' },
      h: {
        _type: 'html',
        count: 2,
        html: [
          { _type: 'html-file', path: 'media/html/1.html' },
          { _type: 'html-file', path: 'other/2.html' },
        ],
      },
      p: { _type: 'plotly-file', path: 'media/plotly/p.plotly.json' },
      img: {
        _type: 'image-file',
        path: 'media/images/i.png',
        boxes: { pred: { _type: 'boxes2D', path: 'media/metadata/boxes2D/b.boxes2D.json' }, bad: { _type: 'mask', path: 'media/x' } },
        masks: { seg: { _type: 'mask', path: 'media/images/mask/m.mask.png' } },
      },
      list: {
        _type: 'images/separated',
        filenames: ['media/images/1.png', 'media/images/2.png'],
        all_boxes: [null, { gt: { _type: 'boxes2D', path: 'media/metadata/boxes2D/g.boxes2D.json' } }],
      },
    });
    expect(refs).toEqual([
      { kind: 'file', type: 'audio', key: 'a', index: 0, path: 'media/audio/a.wav', caption: 'tone' },
      { kind: 'file', type: 'video', key: 'v', index: 0, path: 'media/videos/v.gif' },
      { kind: 'file', type: 'html', key: 'h', index: 0, path: 'media/html/1.html' },
      { kind: 'file', type: 'figure', key: 'p', index: 0, path: 'media/plotly/p.plotly.json' },
      {
        kind: 'image',
        key: 'img',
        index: 0,
        path: 'media/images/i.png',
        boxes: { pred: 'media/metadata/boxes2D/b.boxes2D.json' },
        masks: { seg: 'media/images/mask/m.mask.png' },
      },
      { kind: 'image', key: 'list', index: 0, path: 'media/images/1.png' },
      { kind: 'image', key: 'list', index: 1, path: 'media/images/2.png', boxes: { gt: 'media/metadata/boxes2D/g.boxes2D.json' } },
    ]);
    expect(pathsOf(refs[4]!)).toEqual(['media/images/i.png', 'media/metadata/boxes2D/b.boxes2D.json', 'media/images/mask/m.mask.png']);
  });

  it('converts W&B box files: corners or middle and size, domains, class labels, captions and scores', () => {
    const group = wandbBoxGroup({
      box_data: [
        { position: { minX: 0.1, maxX: 0.5, minY: 0.2, maxY: 0.6 }, class_id: 1, box_caption: 'cat', scores: { acc: 0.4, score: 0.9 } },
        { position: { middle: [0.5, 0.5], width: 0.2, height: 0.4 }, class_id: 2, scores: { acc: 0.7 } },
        { position: { minX: 1, maxX: 2, minY: 3, maxY: 4 }, domain: 'pixel' },
        { position: { minX: 'a' } },
      ],
      class_labels: { 1: 'cat', 2: 'dog', x: 'bad' },
    });
    expect(group).toEqual({
      coordinates: 'fraction',
      format: 'xyxy',
      classNames: { 1: 'cat', 2: 'dog' },
      boxes: [
        { box: [0.1, 0.2, 0.5, 0.6], classId: 1, label: 'cat', score: 0.9 },
        { box: [0.4, 0.3, 0.6, 0.7], classId: 2, score: 0.7 },
      ],
    });
    expect(wandbBoxGroup({ nothing: true })).toBeNull();
    expect(wandbBoxGroup([1, 2])).toBeNull();
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
