import type { UploadPlan } from '@trackbase/contracts';

/** A byte range of a file; `end` is exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface Part extends ByteRange {
  partNumber: number;
  size: number;
}

/** Every part of a file as the server laid it out: part n starts at (n-1)·partSize, the last may be shorter. */
export function partRanges(size: number, partSize: number, partCount: number): Part[] {
  return Array.from({ length: partCount }, (_, i) => {
    const start = i * partSize;
    const end = Math.min(size, start + partSize);
    return { partNumber: i + 1, start, end, size: end - start };
  });
}

/** The parts a multipart plan still needs: the ones the server has not recorded yet (an interrupted upload resumes here). */
export function pendingParts(plan: Pick<UploadPlan, 'size' | 'partSize' | 'partCount' | 'completedParts'>): Part[] {
  const done = new Set(plan.completedParts);
  return partRanges(plan.size, plan.partSize, plan.partCount).filter((p) => !done.has(p.partNumber));
}
