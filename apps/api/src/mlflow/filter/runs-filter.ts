import type { FieldRef, FilterNode, Literal } from '../../runs/filter/ast';
import { RunSqlBuilder, type FieldSql } from '../../runs/filter/compiler';
import { invalidParameter } from '../mlflow.errors';
import { STATE_OF_STATUS, TAG } from '../mlflow-wire';
import { parseMlflowFilter, type MlflowClause } from './mlflow-filter';

/** The runs filter compiler where MLflow's key-value tags live (`mlflow_runs` joined as `mr`). */
export class MlflowRunSqlBuilder extends RunSqlBuilder {
  protected override tagField(key: string): FieldSql {
    return { sql: `(mr.tags ->> ${this.bind(key, 'text')})`, type: 'text' };
  }
}

type Field = { ref: FieldRef; convert?: (v: string | number) => Literal; numeric?: boolean };

/** An MLflow identifier as a field of the runs filter language. */
export function fieldOf(entity: MlflowClause['entity'], key: string): Field {
  switch (entity) {
    case 'metric':
      return { ref: { kind: 'metric', name: key, stat: 'last' }, numeric: true };
    case 'param':
      return { ref: { kind: 'param', path: key } };
    case 'tag':
      if (key === TAG.runName) return { ref: { kind: 'attribute', name: 'name' } };
      if (key === TAG.note) return { ref: { kind: 'attribute', name: 'description' } };
      return { ref: { kind: 'tag', key } };
    case 'dataset':
      throw invalidParameter('filtering runs by dataset is not supported by Trackbase');
    case 'attribute':
      switch (key) {
        case 'run_id':
          return { ref: { kind: 'attribute', name: 'id' } };
        case 'run_name':
        case 'run name':
        case 'runName':
          return { ref: { kind: 'attribute', name: 'name' } };
        case 'status':
          return {
            ref: { kind: 'attribute', name: 'state' },
            convert: (v) => {
              const state = STATE_OF_STATUS[String(v)];
              if (!state) throw invalidParameter(`unknown run status '${v}'`);
              return state;
            },
          };
        case 'start_time':
        case 'created':
        case 'Created':
          return { ref: { kind: 'attribute', name: 'started_at' }, convert: toIso, numeric: true };
        case 'end_time':
          return { ref: { kind: 'attribute', name: 'ended_at' }, convert: toIso, numeric: true };
        case 'user_id':
          return { ref: { kind: 'tag', key: TAG.user } };
        default:
          throw invalidParameter(
            `Invalid attribute key '${key}' specified. Valid keys are run_id, run_name, status, start_time, end_time, user_id`,
          );
      }
  }
}

function toIso(v: string | number): string {
  const ms = Number(v);
  if (!Number.isFinite(ms)) throw invalidParameter(`expected a time in milliseconds, got '${v}'`);
  return new Date(ms).toISOString();
}

/**
 * Translates an MLflow filter string into the runs filter language's AST, which
 * the runs filter compiler turns into SQL with every value bound: nothing of the
 * filter text is ever concatenated into SQL.
 */
export function translateRunsFilter(text: string | undefined): FilterNode | null {
  const clauses = parseMlflowFilter(text ?? '');
  const nodes = clauses.map((c): FilterNode => {
    const field = fieldOf(c.entity, c.key);
    const convert = (v: string | number): Literal => {
      if (field.numeric && c.entity === 'metric' && typeof v !== 'number')
        throw invalidParameter(`metrics.${c.key} compares with a number`);
      if (!field.numeric && typeof v === 'number') throw invalidParameter(`${c.entity}s.${c.key} is a string: quote the value ('${v}')`);
      return field.convert ? field.convert(v) : v;
    };
    switch (c.op) {
      case 'IS NULL':
      case 'IS NOT NULL':
        return { type: 'null', field: field.ref, negated: c.op === 'IS NOT NULL' };
      case 'IN':
      case 'NOT IN':
        return { type: 'in', field: field.ref, values: (c.value as Array<string | number>).map(convert), negated: c.op === 'NOT IN' };
      case 'LIKE':
      case 'ILIKE':
        if (field.numeric) throw invalidParameter(`${c.op} does not apply to ${c.entity}s.${c.key}`);
        return { type: 'like', field: field.ref, pattern: String(c.value), negated: false, caseInsensitive: c.op === 'ILIKE' };
      default:
        if (!field.numeric && c.entity !== 'attribute' && !['=', '!='].includes(c.op))
          throw invalidParameter(`${c.entity}s compare with =, !=, LIKE, ILIKE, IN or IS NULL`);
        return { type: 'compare', field: field.ref, op: c.op, value: convert(c.value as string | number) };
    }
  });
  if (!nodes.length) return null;
  return nodes.reduce((left, right) => ({ type: 'and', left, right }));
}

/** `metrics.acc DESC`, `attributes.start_time`, ``params.`lr` ASC``: MLflow's order_by as fields of the runs filter language. */
export function translateOrderBy(orderBy: string[] | undefined): Array<{ ref: FieldRef; descending: boolean }> {
  const keys = (orderBy ?? []).map((text) => {
    const m = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/i.exec(text);
    if (!m) throw invalidParameter(`invalid order_by clause '${text}'`);
    const [clause] = parseMlflowFilter(`${m[1]} IS NULL`);
    if (!clause) throw invalidParameter(`invalid order_by clause '${text}'`);
    const { ref } = fieldOf(clause.entity, clause.key);
    if (ref.kind === 'tag') throw invalidParameter('ordering runs by tags is not supported by Trackbase');
    return { ref, descending: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
  if (!keys.length) keys.push({ ref: { kind: 'attribute', name: 'started_at' }, descending: true });
  return keys;
}
