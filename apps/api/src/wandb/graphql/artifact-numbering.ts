import type { ArtifactVersion } from '@trackbase/contracts';

/**
 * W&B numbers an artifact's versions from 0 (`v0`, `v1`, …), Trackbase from 1.
 * Through the W&B door versions are shown and named W&B's way; Trackbase's own
 * API keeps its numbering. Aliases never look like `v<number>` (Trackbase
 * refuses such aliases), so a `v<number>` reference is always a version.
 */
const VERSION_REF = /^v(\d+)$/;

/** A W&B reference (`v0`, an alias, an id) as Trackbase resolves it (`v1`, the same alias, the same id). */
export function toTrackbaseRef(ref: string): string {
  const match = VERSION_REF.exec(ref);
  if (!match) return ref;
  // Digits beyond a safe integer name no version; keep them (Trackbase answers "not found").
  const index = Number(match[1]);
  return Number.isSafeInteger(index) ? `v${index + 1}` : ref;
}

/** W&B's `versionIndex` of a version: its Trackbase number less one; null for a draft. */
export function wandbVersionIndex(version: Pick<ArtifactVersion, 'version'>): number | null {
  return version.version ? Number(version.version.slice(1)) - 1 : null;
}
