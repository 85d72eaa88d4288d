import {
  TABLE_COLUMN_TYPES,
  TABLE_DOCUMENT_FORMAT,
  TABLE_LIMITS,
  toWireFloat,
  type TableCell,
  type TableCellAnnotation,
  type TableColumn,
  type TableColumnType,
  type TableDocument,
} from '@trackbase/contracts';
import { Audio, Image, sha256Hex, type Blob } from '../media/media';

/** A cell: a number, string, boolean or null, or an `Image`/`Audio` (a media cell, uploaded as a media object of the run). */
type Value = number | string | boolean | null | undefined | Image | Audio;

/** A media cell's content: uploaded before the table is declared; the cell holds its SHA-256. */
export interface TableMediaBlob extends Blob {
  sha256: string;
}
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
  if (value instanceof Image) return 'image';
  if (value instanceof Audio) return 'audio';
  fail(`cells hold numbers, strings, booleans, Image, Audio or null, not ${typeof value}`);
}

/**
 * A table to log with `run.log({ preds: new Table(...) }, step)`: rows with
 * column names, or columns by name. Column types (number, string, bool, and
 * image or audio for cells holding `Image`/`Audio` values) are inferred from
 * the cells unless given; every column may hold nulls. The checks run here, at
 * the call that made the mistake. A media cell's content is encoded now and
 * uploaded as a media object of the run before the table; an image cell's
 * caption, boxes and masks (as for a media item) travel in the document's
 * `annotations`, the cell naming them `<sha256>#<n>`.
 */
export class Table {
  readonly columns: TableColumn[];
  readonly rowCount: number;
  /** Contents of the media cells, once each. */
  readonly media: TableMediaBlob[] = [];
  private readonly data: TableCell[][];
  /** Per image column, the captions, boxes and masks its `<sha256>#<n>` cells name. */
  private readonly annotations: Record<string, TableCellAnnotation[]>;

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
    const media = new Map<string, TableMediaBlob>();
    const annotations: Record<string, TableCellAnnotation[]> = {};
    let annotated = 0;
    const mediaCell = (v: Image | Audio, column: string): string => {
      const { fields, blobs } = v.prepare();
      for (const blob of blobs) {
        const digest = sha256Hex(blob.bytes);
        if (!media.has(digest)) media.set(digest, { ...blob, sha256: digest });
      }
      const sha256 = sha256Hex(blobs[0]!.bytes);
      if (!(v instanceof Image) || (fields.caption === undefined && !fields.boxes && !fields.masks)) return sha256;
      if (++annotated > TABLE_LIMITS.annotations)
        fail(`a table may hold at most ${TABLE_LIMITS.annotations} images with captions, boxes or masks`);
      const list = (annotations[column] ??= []);
      list.push({
        ...(fields.caption !== undefined ? { caption: fields.caption as string } : {}),
        ...(fields.boxes ? { boxes: fields.boxes as TableCellAnnotation['boxes'] } : {}),
        ...(fields.masks ? { masks: fields.masks as TableCellAnnotation['masks'] } : {}),
      });
      return `${sha256}#${list.length - 1}`;
    };
    this.data = cells.map((column, c) => {
      const type = this.columns[c]!.type;
      const name = this.columns[c]!.name;
      if (type === 'number') return column.map((v) => (v === null || v === undefined ? null : toWireFloat(v as number)));
      if (type === 'image' || type === 'audio')
        return column.map((v) => (v === null || v === undefined ? null : mediaCell(v as Image, name)));
      return column.map((v) => v ?? null);
    }) as TableCell[][];
    this.media.push(...media.values());
    this.annotations = annotations;
  }

  /** The document the server takes (`TableDocument` in the contracts), as UTF-8 JSON. */
  toDocument(): Buffer {
    const doc: TableDocument = { format: TABLE_DOCUMENT_FORMAT, columns: this.columns, rowCount: this.rowCount, data: this.data };
    if (Object.keys(this.annotations).length) doc.annotations = this.annotations;
    return Buffer.from(JSON.stringify(doc));
  }
}
