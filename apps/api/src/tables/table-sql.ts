import { TABLE_LIMITS, type TableColumn } from '@trackbase/contracts';
import { FilterError, parseFilter } from '../runs/filter';
import type { FieldRef, FilterNode, Literal } from '../runs/filter/ast';
import { invalidTableQuery } from './tables.errors';

/** A value bound to a DuckDB placeholder. */
export type Bound = number | string | boolean;

/** An identifier as DuckDB reads it: in double quotes, inner quotes doubled. Names come from the table's checked schema only. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Compiles the filter language over a table's columns into a DuckDB WHERE
 * clause. Every value is a `$n` placeholder; identifiers are only names of
 * the table's own columns, quoted. A column compared with a value of another
 * type is refused rather than silently matching nothing.
 */
export class TableSql {
  readonly params: Bound[] = [];
  private readonly byName: Map<string, TableColumn>;

  constructor(private readonly columns: TableColumn[]) {
    this.byName = new Map(columns.map((c) => [c.name, c]));
  }

  private bind(value: Bound): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  private column(field: FieldRef): TableColumn {
    if (field.kind !== 'column') throw new FilterError('only columns can be filtered', 0);
    return this.byName.get(field.name)!;
  }

  /** `WHERE …` for `text`, or '' without a filter. */
  where(text: string | undefined): string {
    if (!text?.trim()) return '';
    let node: FilterNode | null;
    try {
      node = parseFilter(text, (name, position) => {
        if (!this.byName.has(name)) {
          throw new FilterError(`unknown column "${name}"; the table has ${this.columns.map((c) => c.name).join(', ')}`, position);
        }
        return { kind: 'column', name };
      });
      return node ? `WHERE ${this.node(node)}` : '';
    } catch (error) {
      if (error instanceof FilterError) throw invalidTableQuery(error.message, 'filter');
      throw error;
    }
  }

  private node(node: FilterNode): string {
    switch (node.type) {
      case 'and':
      case 'or':
        return `(${this.node(node.left)} ${node.type.toUpperCase()} ${this.node(node.right)})`;
      case 'not':
        return `(NOT ${this.node(node.operand)})`;
      case 'contains':
        throw new FilterError('CONTAINS applies to run tags, not to table columns', 0);
      case 'exists':
      case 'null': {
        const c = quoteIdent(this.column(node.field).name);
        const negated = node.type === 'exists' || node.negated;
        return `(${c} IS ${negated ? 'NOT ' : ''}NULL)`;
      }
      case 'compare': {
        const column = this.column(node.field);
        const c = quoteIdent(column.name);
        if (node.value === null) {
          if (node.op !== '=' && node.op !== '!=') throw new FilterError(`null can only be compared with = or !=`, 0);
          return `(${c} IS ${node.op === '!=' ? 'NOT ' : ''}NULL)`;
        }
        return `(${c} ${node.op === '!=' ? '<>' : node.op} ${this.bind(this.typed(column, node.value))})`;
      }
      case 'in': {
        const column = this.column(node.field);
        const values = node.values.filter((v) => v !== null).map((v) => this.bind(this.typed(column, v)));
        const hasNull = node.values.some((v) => v === null);
        const c = quoteIdent(column.name);
        const inList = values.length ? `${c} IN (${values.join(', ')})` : 'false';
        const matched = hasNull ? `(${inList} OR ${c} IS NULL)` : `(${inList})`;
        return node.negated ? `(NOT coalesce(${matched}, false))` : matched;
      }
      case 'like': {
        const column = this.column(node.field);
        if (column.type !== 'string')
          throw new FilterError(`LIKE applies to text columns; "${column.name}" holds ${column.type} values`, 0);
        const op = `${node.negated ? 'NOT ' : ''}${node.caseInsensitive ? 'ILIKE' : 'LIKE'}`;
        return `(${quoteIdent(column.name)} ${op} ${this.bind(node.pattern)})`;
      }
    }
  }

  private typed(column: TableColumn, value: Exclude<Literal, null>): Bound {
    const expected = column.type === 'number' ? 'number' : column.type === 'bool' ? 'boolean' : 'string';
    if (typeof value !== expected) {
      throw new FilterError(`column "${column.name}" holds ${column.type} values; ${JSON.stringify(value)} is not one`, 0);
    }
    return value;
  }

  /** `ORDER BY …` for `-a,b` (descending a, then b), nulls last, then file order so pages never skip or repeat rows. */
  orderBy(text: string | undefined): string {
    const keys = (text ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (keys.length > 5) throw invalidTableQuery('sort by at most five columns', 'sort');
    const terms = keys.map((key) => {
      const descending = key.startsWith('-');
      let name = descending ? key.slice(1) : key;
      if (name.startsWith('`') && name.endsWith('`') && name.length > 1) name = name.slice(1, -1);
      if (!this.byName.has(name))
        throw invalidTableQuery(`unknown column "${name.slice(0, TABLE_LIMITS.columnNameLength)}" in sort`, 'sort');
      return `${quoteIdent(name)} ${descending ? 'DESC' : 'ASC'} NULLS LAST`;
    });
    return `ORDER BY ${[...terms, 'file_row_number'].join(', ')}`;
  }
}
