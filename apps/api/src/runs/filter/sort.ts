import { FilterError, type FieldRef } from './ast';
import type { RunSqlBuilder } from './compiler';
import { parseField } from './parser';

export interface SortKey {
  sql: string;
  cast: string;
  descending: boolean;
  notNull: boolean;
}

export const DEFAULT_SORT = '-created_at';

/** Splits on commas outside backticks and quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '`' || c === '"' || c === "'") quote = c;
    else if (c === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `-metrics.loss.min, params.lr`: fields in order, `-` for descending. Always ends with the run id as tiebreaker. */
export function compileSort(text: string, sql: RunSqlBuilder): SortKey[] {
  const keys = splitList(text || DEFAULT_SORT);
  if (keys.length > 5) throw new FilterError('sort by at most 5 fields', 0);
  const out: SortKey[] = keys.map((key) => {
    const descending = key.startsWith('-');
    const field: FieldRef = parseField(descending ? key.slice(1) : key.replace(/^\+/, ''));
    if (field.kind === 'tags') throw new FilterError('cannot sort by tags', 0);
    const f = sql.field(field);
    return { sql: f.sql, cast: f.type === 'int' ? 'numeric' : f.type, descending, notNull: !!f.notNull };
  });
  out.push({ sql: 'r.id', cast: 'uuid', descending: false, notNull: true });
  return out;
}

export function orderBy(keys: SortKey[]): string {
  return keys.map((k) => `${k.sql} ${k.descending ? 'DESC' : 'ASC'}${k.notNull ? '' : ' NULLS LAST'}`).join(', ');
}

/**
 * Keyset pagination: rows strictly after the last row of the previous page in
 * the sort order (NULLS LAST in both directions). The cursor carries that
 * row's sort values; it is opaque to clients.
 */
export function afterCursor(keys: SortKey[], values: unknown[], sql: RunSqlBuilder): string {
  if (values.length !== keys.length) throw new FilterError('cursor does not match the sort', 0);
  const bound = keys.map((k, i) => {
    const value = values[i];
    if (value === null) return null;
    if (typeof value !== 'string') throw new FilterError('cursor is not valid; start again without it', 0);
    return sql.bind(value, k.cast);
  });
  const disjuncts: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const equalBefore = keys.slice(0, i).map((k, j) => (bound[j] === null ? `${k.sql} IS NULL` : `${k.sql} = ${bound[j]}`));
    const k = keys[i]!;
    const v = bound[i];
    // After a NULL (which sorts last) only rows equal on this key can follow.
    if (v === null) continue;
    const after = k.notNull
      ? `${k.sql} ${k.descending ? '<' : '>'} ${v}`
      : `(${k.sql} ${k.descending ? '<' : '>'} ${v} OR ${k.sql} IS NULL)`;
    disjuncts.push(`(${[...equalBefore, after].join(' AND ')})`);
  }
  return disjuncts.length ? `(${disjuncts.join(' OR ')})` : 'FALSE';
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(values)) throw new Error('not a list');
    return values;
  } catch {
    throw new FilterError('cursor is not valid; start again without it', 0);
  }
}
