import {
  TABLE_COLUMN_TYPES,
  TABLE_DOCUMENT_FORMAT,
  TABLE_LIMITS,
  toWireFloat,
  type TableCell,
  type TableColumn,
  type TableColumnType,
  type TableDocument,
} from '@trackbase/contracts';

type Value = number | string | boolean | null | undefined;
/** A column by name, or by name and type (`{ name: 'score', type: 'number' }`); without a type it is inferred from the cells. */
export type ColumnSpec = string | TableColumn;

export interface TableFromRows {
  columns: ColumnSpec[];
  rows: Value[][];
}
export interface TableFromColumns {
  /** Column name to its cells, all of one length. */
  data: Record<string, Value[]>;
  /** Types of some columns, where inference is not wanted (a column of nulls). */
  types?: Record<string, TableColumnType>;
}

function fail(message: string): never {
  throw new TypeError(`trackbase: Table: ${message}`);
}

function typeOf(value: Value): TableColumnType | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  fail(`cells hold numbers, strings, booleans or null, not ${typeof value}`);
}

/**
 * A table to log with `run.log({ preds: new Table(...) }, step)`: rows with
 * column names, or columns by name. Column types (number, string, bool) are
 * inferred from the cells unless given; every column may hold nulls. The
 * checks run here, at the call that made the mistake.
 */
export class Table {
  readonly columns: TableColumn[];
  readonly rowCount: number;
  private readonly data: TableCell[][];

  constructor(init: TableFromRows | TableFromColumns) {
    let names: string[];
    let declared: Array<TableColumnType | undefined>;
    let cells: Value[][];
    if ('rows' in init) {
      if (!Array.isArray(init.columns) || !Array.isArray(init.rows)) fail('give { columns, rows } or { data }');
      names = init.columns.map((c) => (typeof c === 'string' ? c : c.name));
      declared = init.columns.map((c) => (typeof c === 'string' ? undefined : c.type));
      cells = names.map(() => []);
      init.rows.forEach((row, r) => {
        if (!Array.isArray(row) || row.length !== names.length)
          fail(`row ${r} has ${Array.isArray(row) ? row.length : 0} cells, there are ${names.length} columns`);
        row.forEach((v, c) => cells[c]!.push(v));
      });
    } else {
      if (!init.data || typeof init.data !== 'object') fail('give { columns, rows } or { data }');
      names = Object.keys(init.data);
      declared = names.map((n) => init.types?.[n]);
      cells = names.map((n) => init.data[n]!);
      const lengths = new Set(cells.map((c) => (Array.isArray(c) ? c.length : -1)));
      if (lengths.has(-1)) fail('each column of data must be an array');
      if (lengths.size > 1) fail(`columns have different lengths (${[...lengths].join(', ')})`);
    }
    if (names.length === 0) fail('a table needs at least one column');
    if (names.length > TABLE_LIMITS.maxColumns) fail(`a table may have at most ${TABLE_LIMITS.maxColumns} columns`);
    const rowCount = cells[0]!.length;
    if (rowCount > TABLE_LIMITS.maxRows) fail(`a table may have at most ${TABLE_LIMITS.maxRows} rows, this one has ${rowCount}`);
    const seen = new Set<string>();
    this.columns = names.map((name, c) => {
      if (typeof name !== 'string' || !name) fail(`column ${c} needs a name`);
      if (seen.has(name.toLowerCase())) fail(`column "${name}" appears twice (names are compared ignoring case)`);
      seen.add(name.toLowerCase());
      let type = declared[c];
      if (type !== undefined && !(TABLE_COLUMN_TYPES as readonly string[]).includes(type))
        fail(`column "${name}": unknown type ${String(type)}`);
      for (const v of cells[c]!) {
        const t = typeOf(v);
        if (t === null) continue;
        if (type === undefined) type = t;
        else if (t !== type) fail(`column "${name}" holds ${type} values and a ${t} (${JSON.stringify(v)})`);
      }
      return { name, type: type ?? 'string' };
    });
    this.rowCount = rowCount;
    this.data = cells.map((column, c) =>
      this.columns[c]!.type === 'number'
        ? column.map((v) => (v === null || v === undefined ? null : toWireFloat(v as number)))
        : column.map((v) => v ?? null),
    ) as TableCell[][];
  }

  /** The document the server takes (`TableDocument` in the contracts), as UTF-8 JSON. */
  toDocument(): Buffer {
    const doc: TableDocument = { format: TABLE_DOCUMENT_FORMAT, columns: this.columns, rowCount: this.rowCount, data: this.data };
    return Buffer.from(JSON.stringify(doc));
  }
}
