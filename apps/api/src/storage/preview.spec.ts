import { describe, expect, it } from 'vitest';
import { buildPreview, contentTypeFor, previewKind } from './preview';

const file = (path: string, content: Buffer | string, size?: number, contentType = 'application/octet-stream') => {
  const head = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return buildPreview({ path, size: size ?? head.length, contentType: contentTypeFor(path, contentType) }, head, 'http://x/u');
};

describe('previews', () => {
  it('parses the first rows of a CSV, quotes and all', () => {
    const preview = file('data/train.csv', 'id,text\n1,"hello, world"\n2,"say ""hi"""\n');
    expect(preview.kind).toBe('csv');
    expect(preview.rows).toEqual([
      ['id', 'text'],
      ['1', 'hello, world'],
      ['2', 'say "hi"'],
    ]);
    expect(preview.truncated).toBe(false);
  });

  it('drops the cut last line of a truncated CSV', () => {
    const preview = file('a.csv', 'a,b\n1,2\n3,4', 10_000);
    expect(preview.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(preview.truncated).toBe(true);
  });

  it('pretty-prints complete JSON and keeps invalid JSON as text', () => {
    expect(file('m.json', '{"a":1}').text).toBe('{\n  "a": 1\n}');
    const broken = file('m.json', '{"a":');
    expect(broken.kind).toBe('text');
    expect(broken.text).toBe('{"a":');
  });

  it('treats NUL bytes and invalid UTF-8 as binary', () => {
    expect(file('weights.txt', Buffer.from([0x61, 0x00, 0x62])).kind).toBe('binary');
    expect(file('notes.txt', Buffer.from([0xff, 0xfe, 0x41])).kind).toBe('binary');
  });

  it('does not call text binary because the head cut a multi-byte character', () => {
    const euro = Buffer.from('price: €', 'utf8');
    const cut = euro.subarray(0, euro.length - 1);
    const preview = file('p.txt', cut, 100);
    expect(preview.kind).toBe('text');
    expect(preview.text).toBe('price: ');
  });

  it('recognises images by extension and content type', () => {
    expect(previewKind('plots/loss.png', 'application/octet-stream')).toBe('image');
    expect(previewKind('x', 'image/jpeg')).toBe('image');
    expect(file('model.bin', 'abc').kind).toBe('binary');
  });
});
