import {
  TABLE_DOCUMENT_FORMAT,
  TABLE_LIMITS,
  type TableCell,
  type TableColumn,
  type TableColumnType,
  type TableDocument,
} from '@trackbase/contracts';
import { invalidTable } from '../../tables/tables.errors';
import { parseLine } from './history-lines';

const FLOAT_TOKENS: Record<string, string> = { __wandb_NaN__: 'NaN', __wandb_Infinity__: 'Infinity', '__wandb_-Infinity__': '-Infinity' };

/**
 * A `wandb.Table` file (`{"columns": [...], "data": [[row], ...]}`, rows of
 * cells, NaN written bare) as a Trackbase table document (columns of cells,
 * typed). A column whose cells are all numbers (or null) is a number column,
 * all booleans a bool column; anything else is a string column, with cells
 * that are not strings (media in a table, lists, objects) as their JSON.
 */
export function wandbTableDocument(bytes: Buffer): TableDocument {
  const doc = parseLine(bytes.toString('utf8'));
  if (!doc) throw invalidTable('the wandb table file is not a JSON object');
  const { columns, data } = doc;
  if (!Array.isArray(columns) || columns.length === 0) throw invalidTable('the wandb table has no columns');
  if (!Array.isArray(data) || data.some((row) => !Array.isArray(row) || row.length !== columns.length)) {
    throw invalidTable(`every row of the wandb table must hold ${columns.length} cells`);
  }
  const rows = data as unknown[][];
  const names = columnNames(columns);
  const cells = names.map((_, c) => rows.map((row) => wire(row[c])));
  const out: TableColumn[] = names.map((name, c) => ({ name, type: typeOf(cells[c]!) }));
  return {
    format: TABLE_DOCUMENT_FORMAT,
    columns: out,
    rowCount: rows.length,
    data: cells.map((column, c) => (out[c]!.type === 'string' ? column.map(asString) : (column as TableCell[]))),
  };
}

function wire(cell: unknown): TableCell | object {
  if (typeof cell === 'string' && cell in FLOAT_TOKENS) return FLOAT_TOKENS[cell]!;
  if (cell === undefined) return null;
  return cell as TableCell | object;
}

function typeOf(cells: Array<TableCell | object>): TableColumnType {
  const present = cells.filter((c) => c !== null);
  if (present.length === 0) return 'string';
  if (present.every((c) => typeof c === 'number' || (typeof c === 'string' && Object.values(FLOAT_TOKENS).includes(c)))) {
    return present.some((c) => typeof c === 'number') ? 'number' : 'string';
  }
  if (present.every((c) => typeof c === 'boolean')) return 'bool';
  return 'string';
}

function asString(cell: TableCell | object): TableCell {
  if (cell === null) return null;
  const text = typeof cell === 'string' ? cell : JSON.stringify(cell);
  return text.split('\u0000').join('').slice(0, TABLE_LIMITS.stringLength);
}

/** Column names as Trackbase takes them: no control characters, not empty, unique ignoring case. */
function columnNames(columns: unknown[]): string[] {
  const seen = new Set<string>();
  return columns.map((raw, i) => {
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    const printable = [...text].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('');
    const base = printable.slice(0, TABLE_LIMITS.columnNameLength - 4) || `column_${i}`;
    let name = base;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    seen.add(name.toLowerCase());
    return name;
  });
}
