/** A field of a run as the filter and sort languages name it. */
export type FieldRef =
  | { kind: 'attribute'; name: AttributeName }
  | { kind: 'param'; path: string }
  | { kind: 'metric'; name: string; stat: MetricStat }
  | { kind: 'tags' }
  /** A key-value tag (MLflow's); only builders that know where such tags live can compile it. */
  | { kind: 'tag'; key: string }
  /** A column of a logged table; only the table query compiles it. */
  | { kind: 'column'; name: string };

export const ATTRIBUTES = [
  'id',
  'name',
  'key',
  'number',
  'state',
  'created_at',
  'started_at',
  'ended_at',
  'created_by',
  'description',
  'external_id',
  'duration',
] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];
export const METRIC_STATS = ['last', 'min', 'max', 'count', 'step'] as const;
export type MetricStat = (typeof METRIC_STATS)[number];

export type Literal = string | number | boolean | null;

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; field: FieldRef; op: Comparison; value: Literal }
  | { type: 'in'; field: FieldRef; values: Literal[]; negated: boolean }
  | { type: 'like'; field: FieldRef; pattern: string; negated: boolean; caseInsensitive: boolean }
  | { type: 'null'; field: FieldRef; negated: boolean }
  | { type: 'exists'; field: FieldRef }
  | { type: 'contains'; value: string };

export class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
  }
}
