import { invalidParameter } from '../mlflow.errors';
import { parseMlflowFilter, type MlflowClause } from './mlflow-filter';

interface ExperimentLike {
  name: string;
  creation_time: number;
  last_update_time: number;
  tags: Array<{ key: string; value: string }>;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/** Whether a value satisfies one MLflow clause (used where the candidates are few and in memory). */
export function matchesClause(actual: string | number | undefined, clause: MlflowClause): boolean {
  const { op, value } = clause;
  if (op === 'IS NULL') return actual === undefined;
  if (op === 'IS NOT NULL') return actual !== undefined;
  if (actual === undefined) return false;
  if (op === 'IN' || op === 'NOT IN') return (value as unknown[]).includes(actual) === (op === 'IN');
  if (op === 'LIKE' || op === 'ILIKE') return likeToRegExp(String(value), op === 'ILIKE' ? 'is' : 's').test(String(actual));
  const v = typeof actual === 'number' ? Number(value) : String(value);
  switch (op) {
    case '=':
      return actual === v;
    case '!=':
      return actual !== v;
    case '<':
      return actual < v;
    case '<=':
      return actual <= v;
    case '>':
      return actual > v;
    default:
      return actual >= v;
  }
}

/** search_experiments filters (name, creation_time, last_update_time, tags.*) as a predicate. */
export function parseExperimentFilter(text: string): (e: ExperimentLike) => boolean {
  const clauses = parseMlflowFilter(text);
  for (const c of clauses) {
    if (c.entity === 'attribute' && !['name', 'creation_time', 'last_update_time'].includes(c.key))
      throw invalidParameter(`Invalid attribute key '${c.key}' for experiments`);
    if (c.entity !== 'attribute' && c.entity !== 'tag') throw invalidParameter(`experiments cannot be filtered by ${c.entity}s`);
  }
  return (e) =>
    clauses.every((c) => {
      if (c.entity === 'tag') return matchesClause(e.tags.find((t) => t.key === c.key)?.value, c);
      return matchesClause(e[c.key as 'name' | 'creation_time' | 'last_update_time'], c);
    });
}
