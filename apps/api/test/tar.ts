import { Readable } from 'node:stream';
import { extract } from 'tar-stream';

/** A tar's entries by name, read with a tar reader as a client would. */
export async function untar(source: Buffer | Readable): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        entries.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.on('error', reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  (Buffer.isBuffer(source) ? Readable.from([source]) : source).pipe(reader);
  await done;
  return entries;
}
