import { createHash } from 'node:crypto';
import type { ApiClient } from '@trackbase/api/test/api-client';

/** A 64×64 PNG (a blue ring) for image previews. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAA50lEQVR42u3a0RGCQAyE4TRjZZZtB9qD2AEeuQ132fkZHlH2A0dyCXE03wIAAAAAAAAA4AN4vb8j+3aAwdwVklgVXcWI5eknDSFP/3h+znetIVTR/+YelJQDVOlVhllAOvoJoxBQkX7SEDuknzHEJunThnLA1YNLAKp/+sRn9YB09NyX3Aq4VDvcBxg8caL+kfyKYsnlF94EDSBdhAIA4ACYXItxBwAA2ADQ5kncshZqX426rQdarsjar4kduhLt+0IOnTmH3qhDd7r9fMBhQmMyI3OYUjrMiU0m9bzsAQAAAAAAAOS2H73f9K0V+ZdjAAAAAElFTkSuQmCC',
  'base64',
);

/**
 * Logs an artifact version with plain API calls, as any client would: declare
 * the files, PUT each to its upload URL, complete it, then commit the draft.
 */
export async function logVersion(
  api: ApiClient,
  projectPath: string,
  name: string,
  version: {
    kind: string;
    description?: string;
    run?: string;
    aliases?: string[];
    metadata?: Record<string, unknown>;
    contents: Record<string, Buffer>;
  },
) {
  const { contents, ...rest } = version;
  const files = Object.entries(contents).map(([path, content]) => ({
    path,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  }));
  const created = await api.post(`${projectPath}/artifacts/${name}/versions`, { ...rest, files });
  if (created.status !== 201) throw new Error(`declaring a version failed: ${created.status} ${JSON.stringify(created.body)}`);
  for (const { file, upload } of created.body.uploads as Array<{
    file: { path: string };
    upload?: { uploadId: string; url: string; headers: Record<string, string> };
  }>) {
    if (!upload) continue;
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(contents[file.path]!) });
    if (put.status !== 200) throw new Error(`PUT of ${file.path} failed: ${put.status} ${await put.text()}`);
    const done = await api.post(`${projectPath}/uploads/${upload.uploadId}/complete`);
    if (done.status !== 200) throw new Error(`completing ${file.path} failed: ${done.status} ${JSON.stringify(done.body)}`);
  }
  if (created.body.version.state === 'committed') return created.body.version;
  const committed = await api.post(`${projectPath}/artifacts/${name}/versions/${created.body.version.id}/commit`);
  if (committed.status !== 200) throw new Error(`commit failed: ${committed.status} ${JSON.stringify(committed.body)}`);
  return committed.body;
}
