import { FilterError, type FieldRef, type FilterNode, type Literal, type MetricStat } from './ast';

/** SQL type of a field's expression, used to cast bound values. */
type SqlType = 'text' | 'int' | 'float8' | 'timestamptz' | 'jsonb' | 'uuid';

/** The series column that holds each metric summary. */
export const METRIC_COLUMNS: Record<MetricStat, string> = {
  last: 'last_value',
  min: 'min_value',
  max: 'max_value',
  count: 'count',
  step: 'last_step',
};

export interface MetricSummaryRef {
  name: string;
  stat: MetricStat;
  column: string;
}

export interface FieldSql {
  sql: string;
  type: SqlType;
  /** Never NULL: sorting needs no NULLS LAST, which lets an index on the column serve the order. */
  notNull?: boolean;
}

/**
 * Builds SQL from parsed filters, sorts and columns against the runs table
 * (alias `r`). Every user value is a bind parameter; identifiers come only
 * from the fixed attribute map, and param paths and metric names are bound
 * values too, so no user text ever reaches the SQL string.
 */
export class RunSqlBuilder {
  readonly params: unknown[];
  /** Metric summaries named so far, by the SQL of their expression. */
  private readonly metricFields = new Map<string, MetricSummaryRef>();

  constructor(initial: unknown[]) {
    this.params = [...initial];
  }

  bind(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }

  /** The metric summary an expression reads (a sort key's SQL), if it is one. */
  metricOf(expression: string): MetricSummaryRef | undefined {
    return this.metricFields.get(expression);
  }

  /** A bound metric name, for queries that read the series table directly. */
  metricName(name: string): string {
    return this.bindName(name);
  }

  private readonly boundNames = new Map<string, string>();
  private bindName(name: string): string {
    let placeholder = this.boundNames.get(name);
    if (!placeholder) this.boundNames.set(name, (placeholder = this.bind(name, 'text')));
    return placeholder;
  }

  field(field: FieldRef): FieldSql {
    switch (field.kind) {
      case 'attribute':
        return ATTRIBUTE_SQL[field.name];
      case 'param':
        return { sql: `(r.params -> ${this.bindName(field.path)})`, type: 'jsonb' };
      case 'metric': {
        // One probe of the (organization_id, run_id, kind, name) unique index per run: a plan that
        // cannot degrade into nested loops re-scanning runs, whatever the statistics say.
        const column = METRIC_COLUMNS[field.stat];
        const sql = `(SELECT s.${column} FROM series s WHERE s.organization_id = r.organization_id AND s.run_id = r.id AND s.kind = 'metric' AND s.name = ${this.bindName(field.name)})`;
        this.metricFields.set(sql, { name: field.name, stat: field.stat, column });
        return { sql, type: field.stat === 'count' || field.stat === 'step' ? 'int' : 'float8' };
      }
      case 'tags':
        throw new FilterError('tags can be filtered with CONTAINS but not sorted or compared', 0);
      case 'tag':
        return this.tagField(field.key);
      case 'column':
        throw new FilterError(`unknown field "${field.name}"`, 0);
    }
  }

  /** Key-value tags are not part of Trackbase runs; a builder for a table that has them overrides this. */
  protected tagField(key: string): FieldSql {
    throw new FilterError(`no key-value tag "${key}" here: filter tags with CONTAINS`, 0);
  }

  where(node: FilterNode): string {
    switch (node.type) {
      case 'and':
      case 'or':
        return `(${this.where(node.left)} ${node.type.toUpperCase()} ${this.where(node.right)})`;
      case 'not':
        return `(NOT coalesce(${this.where(node.operand)}, false))`;
      case 'contains':
        return `(r.tags @> ARRAY[${this.bind(node.value, 'text')}])`;
      case 'exists':
        return this.exists(node.field);
      case 'null':
        return node.negated ? this.exists(node.field) : `(NOT ${this.exists(node.field)})`;
      case 'compare':
        return this.compare(node.field, node.op, node.value);
      case 'in': {
        const inner = `(${node.values.map((v) => this.compare(node.field, '=', v)).join(' OR ')})`;
        return node.negated ? `(NOT coalesce(${inner}, false))` : inner;
      }
      case 'like': {
        const f = this.field(node.field);
        const text = f.type === 'jsonb' ? `(CASE WHEN jsonb_typeof(${f.sql}) = 'string' THEN ${f.sql} #>> '{}' END)` : `${f.sql}::text`;
        return `(${node.negated ? 'NOT ' : ''}coalesce(${text} ${node.caseInsensitive ? 'ILIKE' : 'LIKE'} ${this.bind(node.pattern, 'text')}, ${node.negated ? 'false' : 'false'}))`;
      }
    }
  }

  private exists(field: FieldRef): string {
    if (field.kind === 'param')
      return `(r.params ? ${this.bindName(field.path)} AND r.params -> ${this.bindName(field.path)} <> 'null'::jsonb)`;
    if (field.kind === 'tags') return `(cardinality(r.tags) > 0)`;
    return `(${this.field(field).sql} IS NOT NULL)`;
  }

  private compare(field: FieldRef, op: string, value: Literal): string {
    if (value === null) {
      if (op === '=') return `(NOT ${this.exists(field)})`;
      if (op === '!=') return this.exists(field);
      throw new FilterError(`null can only be compared with = or !=`, 0);
    }
    if (field.kind === 'param') return this.compareParam(field, op, value);
    if (field.kind === 'attribute' && field.name === 'key') return this.compareKey(op, value);
    const f = this.field(field);
    const bound = this.bindFor(f.type, value, field);
    return `(${f.sql} ${op === '!=' ? '<>' : op} ${bound})`;
  }

  /** Equality uses containment (`@>`), which the GIN index on params serves; ranges compare like-typed values only. */
  private compareParam(field: Extract<FieldRef, { kind: 'param' }>, op: string, value: Exclude<Literal, null>): string {
    const containment = () => this.bind(JSON.stringify({ [field.path]: value }), 'jsonb');
    if (op === '=') return `(r.params @> ${containment()})`;
    if (op === '!=') return `(r.params ? ${this.bindName(field.path)} AND NOT r.params @> ${containment()})`;
    const f = this.field(field);
    if (typeof value === 'number') {
      return `(jsonb_typeof(${f.sql}) = 'number' AND (${f.sql})::numeric ${op} ${this.bind(value, 'numeric')})`;
    }
    if (typeof value === 'string') {
      return `(jsonb_typeof(${f.sql}) = 'string' AND (${f.sql} #>> '{}') ${op} ${this.bind(value, 'text')})`;
    }
    throw new FilterError(`booleans can only be compared with = or !=`, 0);
  }

  private compareKey(op: string, value: Exclude<Literal, null>): string {
    const match = typeof value === 'string' ? /-(\d{1,9})$/.exec(value) : null;
    const number = typeof value === 'number' ? value : match ? Number(match[1]) : NaN;
    if (!Number.isInteger(number)) throw new FilterError(`key compares with a run key such as "VIS-42"`, 0);
    return `(r.number ${op === '!=' ? '<>' : op} ${this.bind(number, 'int')})`;
  }

  private bindFor(type: SqlType, value: Exclude<Literal, null>, field: FieldRef): string {
    const label = describeField(field);
    switch (type) {
      case 'float8':
      case 'int':
        if (typeof value !== 'number') throw new FilterError(`${label} is numeric; compare it with a number`, 0);
        return this.bind(value, type === 'int' ? 'numeric' : 'float8');
      case 'timestamptz':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
          throw new FilterError(`${label} is a time; compare it with a date such as "2026-01-31" or "2026-01-31T12:00:00Z"`, 0);
        return this.bind(new Date(value).toISOString(), 'timestamptz');
      case 'uuid':
        if (typeof value !== 'string' || !/^[0-9a-f-]{36}$/i.test(value)) throw new FilterError(`${label} is a user id (uuid)`, 0);
        return this.bind(value, 'uuid');
      default:
        return this.bind(String(value), 'text');
    }
  }
}

const ATTRIBUTE_SQL: Record<string, FieldSql> = {
  id: { sql: 'r.id', type: 'uuid', notNull: true },
  name: { sql: 'r.name', type: 'text', notNull: true },
  key: { sql: 'r.number', type: 'int', notNull: true },
  number: { sql: 'r.number', type: 'int', notNull: true },
  state: { sql: 'r.state', type: 'text', notNull: true },
  created_at: { sql: 'r.created_at', type: 'timestamptz', notNull: true },
  started_at: { sql: 'r.started_at', type: 'timestamptz', notNull: true },
  ended_at: { sql: 'r.ended_at', type: 'timestamptz' },
  created_by: { sql: 'r.created_by', type: 'uuid' },
  description: { sql: 'r.description', type: 'text', notNull: true },
  external_id: { sql: 'r.external_id', type: 'text' },
  duration: { sql: `extract(epoch FROM (coalesce(r.ended_at, now()) - r.started_at))::float8`, type: 'float8' },
};

export function describeField(field: FieldRef): string {
  switch (field.kind) {
    case 'attribute':
      return field.name;
    case 'param':
      return `params.${field.path}`;
    case 'metric':
      return `metrics.${field.name}.${field.stat}`;
    case 'tags':
      return 'tags';
    case 'tag':
      return `tags.${field.key}`;
    case 'column':
      return field.name;
  }
}
