import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTableDocument } from './table-document';
import { TableEngine } from './table-engine';

const columns = [
  { name: 'id', type: 'number' as const },
  { name: 'label', type: 'string' as const },
  { name: 'ok', type: 'bool' as const },
  { name: 'odd "name"', type: 'number' as const },
];

function doc(data: unknown[][], rowCount = data[0]!.length, cols: unknown[] = columns) {
  return Buffer.from(JSON.stringify({ format: 'trackbase.table/1', columns: cols, rowCount, data }));
}

describe('table engine (DuckDB over Parquet)', () => {
  const engine = new TableEngine();
  let path: string;

  beforeAll(async () => {
    const table = checkTableDocument(
      doc([
        [1, 2, 3, 4, 'NaN'],
        ['cat', 'dog', null, 'cat', "o'hare"],
        [true, false, true, null, false],
        [10, 20, 30, 40, 50],
      ]),
    );
    path = join(mkdtempSync(join(tmpdir(), 'table-engine-')), 't.parquet');
    writeFileSync(path, await engine.toParquet(table));
  });
  afterAll(() => engine.onModuleDestroy());

  it('pages rows sorted by any column, nulls last, NaN as its wire string', async () => {
    const page = await engine.rows(path, columns, { sort: '-label', limit: 2, offset: 1 });
    expect(page.matchedRows).toBe(5);
    expect(page.rows).toEqual([
      [2, 'dog', false, 20],
      [1, 'cat', true, 10],
    ]);
    const byId = await engine.rows(path, columns, { sort: '-id', limit: 1, offset: 0 });
    expect(byId.rows[0]![0]).toBe('NaN');
  });

  it('filters with the filter language, binding values and quoting names', async () => {
    const page = await engine.rows(path, columns, { filter: 'label = "cat" AND `odd "name"` > 15', limit: 10, offset: 0 });
    expect(page.rows).toEqual([[4, 'cat', null, 40]]);
    const injected = await engine.rows(path, columns, { filter: `label = "x' OR 1=1 --"`, limit: 10, offset: 0 });
    expect(injected.matchedRows).toBe(0);
    const quote = await engine.rows(path, columns, { filter: `label LIKE "o'%"`, limit: 10, offset: 0 });
    expect(quote.rows.map((r) => r[1])).toEqual(["o'hare"]);
    await expect(engine.rows(path, columns, { filter: 'nope = 1', limit: 1, offset: 0 })).rejects.toMatchObject({
      code: 'invalid_table_query',
    });
    await expect(engine.rows(path, columns, { filter: 'id = "one"', limit: 1, offset: 0 })).rejects.toMatchObject({
      code: 'invalid_table_query',
    });
    await expect(engine.rows(path, columns, { sort: 'id; DROP TABLE x', limit: 1, offset: 0 })).rejects.toMatchObject({
      code: 'invalid_table_query',
    });
  });

  it('computes column statistics over the filtered rows', async () => {
    const stats = await engine.stats(path, columns);
    expect(stats.matchedRows).toBe(5);
    expect(stats.columns[0]).toMatchObject({ name: 'id', nulls: 0, min: 1, max: 4, mean: 2.5 });
    expect(stats.columns[1]).toMatchObject({
      name: 'label',
      nulls: 1,
      distinct: 3,
      top: [{ value: 'cat', count: 2 }, expect.anything(), expect.anything(), expect.anything()],
    });
    const filtered = await engine.stats(path, columns, 'ok = true');
    expect(filtered.matchedRows).toBe(2);
  });
});

describe('table documents', () => {
  it('refuses ragged columns, cells of the wrong type, too many rows and duplicate names', () => {
    expect(() => checkTableDocument(doc([[1, 2], ['a'], [true, true], [1, 2]], 2))).toThrow(
      expect.objectContaining({ code: 'table_ragged_rows' }),
    );
    expect(() =>
      checkTableDocument(
        doc(
          [
            [1, 'x'],
            ['a', 'b'],
            [true, true],
            [1, 2],
          ],
          2,
        ),
      ),
    ).toThrow(expect.objectContaining({ code: 'table_schema_mismatch', status: 400 }));
    expect(() => checkTableDocument(doc([[]], 200_001, [columns[0]]))).toThrow(
      expect.objectContaining({ code: 'table_too_large', status: 413 }),
    );
    expect(() => checkTableDocument(doc([[1], [2]], 1, [columns[0], { name: 'ID', type: 'number' }]))).toThrow(
      expect.objectContaining({ code: 'invalid_table' }),
    );
    expect(() => checkTableDocument(Buffer.from('not json'))).toThrow(expect.objectContaining({ code: 'invalid_table' }));
  });
});
