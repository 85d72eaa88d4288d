/** What the compactor knows of one stored segment of a series. */
export interface SegmentSize {
  id: string;
  count: number;
}

export interface CompactionLimits {
  /** A segment holding fewer points than this is small: a candidate for merging. */
  small: number;
  /** A merged segment holds at most this many points. */
  target: number;
  /** A series is compacted only once it has at least this many small segments (fewer are not worth the rewrite). */
  minSmall: number;
}

export const DEFAULT_LIMITS: CompactionLimits = { small: 512, target: 8_192, minSmall: 16 };

/**
 * Groups of a series' segments to merge, each into one segment. `segments` must be every
 * segment of the series in id order (the order points arrived in). A group is a run of
 * small segments with consecutive ids - no other segment of the series between them - so
 * that the merged segment, which keeps the group's first id, sits exactly where its parts
 * did in arrival order and reads return the same points in the same order.
 */
export function planCompaction(segments: SegmentSize[], limits: CompactionLimits = DEFAULT_LIMITS): string[][] {
  const smallCount = segments.filter((s) => s.count < limits.small).length;
  if (smallCount < limits.minSmall) return [];
  const groups: string[][] = [];
  let group: string[] = [];
  let points = 0;
  const close = () => {
    if (group.length >= 2) groups.push(group);
    group = [];
    points = 0;
  };
  for (const s of segments) {
    if (s.count >= limits.small) {
      close();
      continue;
    }
    if (points + s.count > limits.target) close();
    group.push(s.id);
    points += s.count;
  }
  close();
  return groups;
}
