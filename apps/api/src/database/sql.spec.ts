import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryRows } from './sql';

const src = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Each `.query(` or `queryRows(` call of a file whose SQL is a template literal, with its line. */
function statements(text: string): Array<{ helper: 'query' | 'queryRows'; sql: string; line: number }> {
  const found = [];
  for (const match of text.matchAll(/(queryRows(?:<[^>(]*>)?\(\s*[\w.]+\s*,|\.query(?:<[^>(]*>)?\()\s*`([^`]*)`/g)) {
    found.push({
      helper: match[1]!.startsWith('queryRows') ? ('queryRows' as const) : ('query' as const),
      sql: match[2]!,
      line: text.slice(0, match.index).split('\n').length,
    });
  }
  return found;
}

describe('queryRows', () => {
  it('answers the RETURNING rows whether the driver answered rows or [rows, rowCount]', async () => {
    const rows = [{ id: 'a' }, { id: 'b' }];
    expect(await queryRows({ query: async () => [rows, 2] } as never, 'UPDATE t SET x = 1 RETURNING id', [])).toEqual(rows);
    expect(await queryRows({ query: async () => rows } as never, 'SELECT id FROM t', [])).toEqual(rows);
    expect(await queryRows({ query: async () => [[], 0] } as never, 'DELETE FROM t RETURNING id', [])).toEqual([]);
  });
});

describe('SQL in the API', () => {
  const files = sourceFiles(src);

  it('runs only in repositories and the database layer', () => {
    const outside = files
      .filter((file) => !file.endsWith('.repository.ts') && !relative(src, file).startsWith('database/'))
      .filter((file) => /\.query(<[^>(]*>)?\(|queryRows(<[^>(]*>)?\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file));
    expect(outside).toEqual([]);
  });

  it('reads RETURNING rows of UPDATE and DELETE through queryRows (plain query answers [rows, rowCount] for them)', () => {
    const wrong = files.flatMap((file) =>
      statements(readFileSync(file, 'utf8'))
        .filter((s) => s.helper === 'query' && /^\s*(UPDATE|DELETE)\b/i.test(s.sql) && /\bRETURNING\b/i.test(s.sql))
        .map((s) => `${relative(src, file)}:${s.line}`),
    );
    expect(wrong).toEqual([]);
    // The scan itself finds statements (it would pass vacuously if the pattern broke).
    expect(files.reduce((n, file) => n + statements(readFileSync(file, 'utf8')).length, 0)).toBeGreaterThan(100);
  });
});
