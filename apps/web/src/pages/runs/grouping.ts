import type { RunRow } from '@trackbase/contracts';
import { createContext } from 'react';

export interface Aggregate {
  count: number;
  mean: number;
  min: number;
  max: number;
  std: number;
}

export interface GroupNode {
  type: 'group';
  /** Path of group values from the outermost grouping field. */
  path: string[];
  depth: number;
  field: string;
  value: string;
  runs: RunRow[];
  aggregates: Record<string, Aggregate>;
}

export type DisplayRow = GroupNode | { type: 'run'; run: RunRow; depth: number };

/** A run's value of a grouping field: a column the API returned, an attribute, or whether it has a tag. */
export function groupValue(run: RunRow, field: string): string {
  if (field.startsWith('tag:')) return run.tags.includes(field.slice(4)) ? field.slice(4) : `not ${field.slice(4)}`;
  const attribute = (run as unknown as Record<string, unknown>)[field === 'created_by' ? 'createdBy' : field];
  const value = field in run.columns ? run.columns[field] : attribute;
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Mean, min, max, population std and count of the numbers among `values`. */
export function aggregate(values: unknown[]): Aggregate | null {
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!numbers.length) return null;
  const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
  const variance = numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / numbers.length;
  return { count: numbers.length, mean, min: Math.min(...numbers), max: Math.max(...numbers), std: Math.sqrt(variance) };
}

/**
 * Nested groups of runs by the grouping fields, in order of first appearance
 * (so the table's sort orders the groups too), flattened for the virtual list;
 * collapsed groups hide their contents.
 */
export function groupRows(
  runs: RunRow[],
  fields: string[],
  columns: string[],
  collapsed: Set<string>,
  depth = 0,
  path: string[] = [],
): DisplayRow[] {
  if (depth >= fields.length) return runs.map((run) => ({ type: 'run', run, depth }));
  const field = fields[depth]!;
  const groups = new Map<string, RunRow[]>();
  for (const run of runs) {
    const value = groupValue(run, field);
    const list = groups.get(value);
    if (list) list.push(run);
    else groups.set(value, [run]);
  }
  const out: DisplayRow[] = [];
  for (const [value, members] of groups) {
    const here = [...path, value];
    const aggregates: Record<string, Aggregate> = {};
    for (const c of columns) {
      const a = aggregate(members.map((r) => r.columns[c]));
      if (a) aggregates[c] = a;
    }
    out.push({ type: 'group', path: here, depth, field, value, runs: members, aggregates });
    if (!collapsed.has(groupKey(here))) out.push(...groupRows(members, fields, columns, collapsed, depth + 1, here));
  }
  return out;
}

export function groupKey(path: string[]): string {
  return JSON.stringify(path);
}

/**
 * What the workspace's charts can follow: the table's grouping fields, the
 * runs it shows (in order) and the selected ones, and each run's group.
 */
export interface WorkspaceSelection {
  grouping: string[];
  visibleRuns: RunRow[];
  selectedRunKeys: string[];
  groupOf: (run: RunRow) => string[];
}

export const WorkspaceSelectionContext = createContext<WorkspaceSelection>({
  grouping: [],
  visibleRuns: [],
  selectedRunKeys: [],
  groupOf: () => [],
});
