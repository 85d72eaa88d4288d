/** A row of `stored_objects`: one object in the store, owned by a run or an artifact. */
export interface StoredObjectRow {
  id: string;
  organization_id: string;
  project_id: string;
  run_id: string | null;
  artifact_id: string | null;
  key: string;
  sha256: string;
  size: string;
  content_type: string;
  state: 'pending' | 'available';
  multipart_upload_id: string | null;
  part_size: string;
  part_count: number;
  created_at: Date;
  completed_at: Date | null;
}

export const OBJECT_COLUMNS = `o.id, o.organization_id, o.project_id, o.run_id, o.artifact_id, o.key, o.sha256, o.size, o.content_type,
  o.state, o.multipart_upload_id, o.part_size, o.part_count, o.created_at, o.completed_at`;

/** Who owns the objects being declared; their keys start with the owner's prefix. */
export type ObjectOwner = { runId: string; artifactId?: undefined } | { artifactId: string; runId?: undefined };

/** How a file of this size is sent: at most 10,000 parts, each at least the configured part size. */
export function partLayout(size: number, configuredPartSize: number): { partSize: number; partCount: number; multipart: boolean } {
  const mib = 1024 * 1024;
  const needed = Math.ceil(size / 10_000 / mib) * mib;
  const partSize = Math.max(configuredPartSize, needed);
  const partCount = Math.max(1, Math.ceil(size / partSize));
  return { partSize, partCount, multipart: size > configuredPartSize };
}

/** The size part `partNumber` (1-based) must have. */
export function expectedPartSize(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}

/** Fixed at declaration: a file of more than one part size has two parts or more. */
export function isMultipart(object: Pick<StoredObjectRow, 'part_count'>): boolean {
  return object.part_count > 1;
}
