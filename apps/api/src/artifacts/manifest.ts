import { createHash } from 'node:crypto';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * The content hash of a version: SHA-256 over `path\tsize\tsha256\n` lines in
 * byte order of the paths, so the same files give the same digest whatever
 * order they were declared in. A reference hashes its URI and digest.
 */
export function manifestDigest(content: { files: ManifestFile[] } | { reference: { uri: string; digest: string } }): string {
  const hash = createHash('sha256');
  if ('reference' in content) {
    hash.update(`ref\t${content.reference.uri}\t${content.reference.digest}\n`);
  } else {
    const sorted = [...content.files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    for (const f of sorted) hash.update(`${f.path}\t${f.size}\t${f.sha256}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}
