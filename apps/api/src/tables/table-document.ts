import {
  TABLE_COLUMN_TYPES,
  TABLE_DOCUMENT_FORMAT,
  TABLE_LIMITS,
  tableCellAnnotationSchema,
  type TableCell,
  type TableCellAnnotation,
  type TableColumn,
  type TableColumnType,
} from '@trackbase/contracts';
import { invalidTable, raggedRows, schemaMismatch, tableTooLarge } from './tables.errors';

/** A checked table: `data[c][r]` is row r of column c; numbers are numbers (NaN and infinities included). */
export interface CheckedTable {
  columns: TableColumn[];
  rowCount: number;
  data: Array<Array<number | string | boolean | null>>;
  /** Per image column, the annotations its `<sha256>#<n>` cells name. */
  annotations: Record<string, TableCellAnnotation[]>;
}

/** An image cell's object and, for an annotated one (`<sha256>#<n>`), its annotation's index. */
export function parseMediaCell(cell: string): { sha256: string; annotation?: number } {
  const hash = cell.indexOf('#');
  return hash < 0 ? { sha256: cell } : { sha256: cell.slice(0, hash), annotation: Number(cell.slice(hash + 1)) };
}

const hasControlCharacter = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

const SHA256 = /^[0-9a-f]{64}$/;
const ANNOTATED = /^[0-9a-f]{64}#(0|[1-9]\d{0,5})$/;

const WIRE_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function accepts(type: TableColumnType, cell: TableCell): boolean {
  if (cell === null) return true;
  switch (type) {
    case 'number':
      return (typeof cell === 'number' && Number.isFinite(cell)) || (typeof cell === 'string' && cell in WIRE_FLOATS);
    case 'string':
      return typeof cell === 'string' && cell.length <= TABLE_LIMITS.stringLength && !cell.includes('\u0000');
    case 'bool':
      return typeof cell === 'boolean';
    case 'image':
      return typeof cell === 'string' && (SHA256.test(cell) || ANNOTATED.test(cell));
    case 'audio':
      return typeof cell === 'string' && SHA256.test(cell);
  }
}

/**
 * Parses and checks an uploaded table document (`TableDocument` in the contracts).
 * Throws the error the declaration is rejected with: `invalid_table`,
 * `table_ragged_rows`, `table_schema_mismatch` (400) or `table_too_large` (413).
 */
export function checkTableDocument(bytes: Buffer): CheckedTable {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidTable('the table document is not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidTable('the table document must be a JSON object');
  const { format, columns, rowCount, data, annotations } = doc as Record<string, unknown>;
  if (format !== TABLE_DOCUMENT_FORMAT) throw invalidTable(`the table document's format must be "${TABLE_DOCUMENT_FORMAT}"`);
  if (!Array.isArray(columns) || columns.length === 0)
    throw invalidTable('a table needs at least one column', [{ path: 'columns', message: 'empty' }]);
  if (columns.length > TABLE_LIMITS.maxColumns)
    throw tableTooLarge(`a table may have at most ${TABLE_LIMITS.maxColumns} columns, this one has ${columns.length}`);
  if (typeof rowCount !== 'number' || !Number.isSafeInteger(rowCount) || rowCount < 0)
    throw invalidTable('rowCount must be a whole number');
  if (rowCount > TABLE_LIMITS.maxRows)
    throw tableTooLarge(`a table may have at most ${TABLE_LIMITS.maxRows} rows, this one has ${rowCount}`);
  const seen = new Set<string>();
  const checkedColumns = columns.map((c: unknown, i): TableColumn => {
    const column = c as Record<string, unknown> | null;
    const name = column?.name;
    const type = column?.type;
    if (typeof name !== 'string' || name.length === 0 || name.length > TABLE_LIMITS.columnNameLength || hasControlCharacter(name)) {
      throw invalidTable(`column ${i} needs a name of 1 to ${TABLE_LIMITS.columnNameLength} characters without control characters`, [
        { path: `columns.${i}.name`, message: 'invalid name' },
      ]);
    }
    if (!(TABLE_COLUMN_TYPES as readonly unknown[]).includes(type)) {
      throw invalidTable(`column "${name}" has type ${JSON.stringify(type)}; use one of ${TABLE_COLUMN_TYPES.join(', ')}`, [
        { path: `columns.${i}.type`, message: 'unknown type' },
      ]);
    }
    // Column names are matched case-insensitively by the query engine: "Label" and "label" cannot both be columns.
    const folded = name.toLowerCase();
    if (seen.has(folded))
      throw invalidTable(`column "${name}" appears twice (names are compared ignoring case)`, [
        { path: `columns.${i}.name`, message: 'duplicate' },
      ]);
    seen.add(folded);
    return { name, type: type as TableColumnType };
  });
  if (!Array.isArray(data) || data.length !== checkedColumns.length) {
    throw raggedRows(`data must hold one array of cells per column (${checkedColumns.length})`, [
      { path: 'data', message: 'one array per column' },
    ]);
  }
  const checkedData = checkedColumns.map((column, c) => {
    const cells = data[c] as unknown;
    if (!Array.isArray(cells) || cells.length !== rowCount) {
      throw raggedRows(`column "${column.name}" has ${Array.isArray(cells) ? cells.length : 0} cells, the table has ${rowCount} rows`, [
        { path: `data.${c}`, message: `expected ${rowCount} cells` },
      ]);
    }
    for (let r = 0; r < cells.length; r++) {
      const cell = cells[r] as TableCell;
      if (!accepts(column.type, cell)) {
        throw schemaMismatch(
          `row ${r} of column "${column.name}" (${column.type}) holds ${JSON.stringify(cell)?.slice(0, 60) ?? typeof cell}`,
          [
            {
              path: `data.${c}.${r}`,
              message: column.type === 'image' || column.type === 'audio' ? 'not the SHA-256 of a media object' : `not a ${column.type}`,
            },
          ],
        );
      }
    }
    if (column.type === 'number') return cells.map((v: TableCell) => (typeof v === 'string' ? WIRE_FLOATS[v]! : v));
    return cells as Array<string | boolean | null>;
  });
  return { columns: checkedColumns, rowCount, data: checkedData, annotations: checkAnnotations(annotations, checkedColumns, checkedData) };
}

/** `annotations`: per image column, an array of annotations, each named by that column's `#n` cells (and only those). */
function checkAnnotations(
  raw: unknown,
  columns: TableColumn[],
  data: Array<Array<number | string | boolean | null>>,
): Record<string, TableCellAnnotation[]> {
  const out: Record<string, TableCellAnnotation[]> = {};
  if (raw !== undefined && (!raw || typeof raw !== 'object' || Array.isArray(raw)))
    throw invalidTable('annotations must map image columns to arrays of annotations', [{ path: 'annotations', message: 'not an object' }]);
  let total = 0;
  for (const [name, list] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const column = columns.find((c) => c.name === name);
    if (column?.type !== 'image')
      throw invalidTable(`annotations name "${name.slice(0, 60)}", which is not an image column`, [
        { path: `annotations.${name}`, message: 'not an image column' },
      ]);
    if (!Array.isArray(list))
      throw invalidTable(`annotations of "${name}" must be an array`, [{ path: `annotations.${name}`, message: 'not an array' }]);
    total += list.length;
    if (total > TABLE_LIMITS.annotations) throw tableTooLarge(`a table may hold at most ${TABLE_LIMITS.annotations} annotated image cells`);
    out[name] = list.map((a, i) => {
      const parsed = tableCellAnnotationSchema.safeParse(a);
      if (!parsed.success)
        throw invalidTable(
          `annotation ${i} of column "${name}" is malformed`,
          parsed.error.issues.slice(0, 20).map((issue) => ({
            path: ['annotations', name, i, ...issue.path].map(String).join('.'),
            message: issue.message,
          })),
        );
      return parsed.data;
    });
  }
  columns.forEach((column, c) => {
    if (column.type !== 'image') return;
    const count = out[column.name]?.length ?? 0;
    data[c]!.forEach((cell, r) => {
      if (typeof cell !== 'string') return;
      const { annotation } = parseMediaCell(cell);
      if (annotation !== undefined && annotation >= count)
        throw schemaMismatch(`row ${r} of column "${column.name}" names annotation ${annotation}, which the document does not hold`, [
          { path: `data.${c}.${r}`, message: 'no such annotation' },
        ]);
    });
  });
  return out;
}
