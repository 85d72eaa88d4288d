import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { containerCut } from './media-decode';

const noise = Buffer.from(Array.from({ length: 120 * 80 * 3 }, (_, i) => (i * 7919) % 251));
const raw = { raw: { width: 120, height: 80, channels: 3 as const } };

async function images(): Promise<Array<[string, string, Buffer]>> {
  return [
    ['png', 'png', await sharp(noise, raw).png({ compressionLevel: 0 }).toBuffer()],
    ['png', 'compressed png', await sharp(noise, raw).png().toBuffer()],
    ['jpeg', 'jpeg', await sharp(noise, raw).jpeg({ quality: 95 }).toBuffer()],
    ['jpeg', 'progressive jpeg', await sharp(noise, raw).jpeg({ progressive: true }).toBuffer()],
    // EXIF and ICC segments before the scan, skipped by their lengths.
    [
      'jpeg',
      'jpeg with metadata',
      await sharp(noise, raw)
        .withMetadata({ exif: { IFD0: { Copyright: 'x\xff\xd9y' } } })
        .jpeg()
        .toBuffer(),
    ],
    ['webp', 'webp', await sharp(noise, raw).webp().toBuffer()],
  ];
}

describe('containerCut', () => {
  it('passes whole images, trailing bytes after a JPEG included', async () => {
    for (const [format, , bytes] of await images()) expect(containerCut(bytes, format)).toBeUndefined();
    const [, , jpeg] = (await images())[2]!;
    expect(containerCut(Buffer.concat([jpeg, Buffer.from('trailer')]), 'jpeg')).toBeUndefined();
  });

  it('finds every image cut anywhere after its header', async () => {
    for (const [format, what, bytes] of await images()) {
      for (const fraction of [0.3, 0.5, 0.9, 0.99]) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * fraction));
        expect(containerCut(cut, format), `${what} cut at ${fraction}`).toMatch(/cut short|ends before|shorter/);
      }
      expect(containerCut(bytes.subarray(0, bytes.length - 1), format), `${what} less its last byte`).toBeDefined();
    }
  });
});
