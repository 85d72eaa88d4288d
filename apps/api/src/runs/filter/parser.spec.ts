import { describe, expect, it } from 'vitest';
import { FilterError } from './ast';
import { RunSqlBuilder } from './compiler';
import { parseField, parseFilter } from './parser';
import { compileSort } from './sort';

describe('parseFilter', () => {
  it('gives NOT precedence over AND over OR, and honours parentheses', () => {
    expect(parseFilter('state = "finished" OR NOT name = "a" AND metrics.loss < 1')).toEqual({
      type: 'or',
      left: { type: 'compare', field: { kind: 'attribute', name: 'state' }, op: '=', value: 'finished' },
      right: {
        type: 'and',
        left: { type: 'not', operand: { type: 'compare', field: { kind: 'attribute', name: 'name' }, op: '=', value: 'a' } },
        right: { type: 'compare', field: { kind: 'metric', name: 'loss', stat: 'last' }, op: '<', value: 1 },
      },
    });
    const grouped = parseFilter('(state = "a" OR state = "b") AND params.lr >= 1e-3');
    expect(grouped?.type).toBe('and');
  });

  it('reads params paths, metric stats, quoted names and every operator', () => {
    expect(parseField('params.optimizer.lr')).toEqual({ kind: 'param', path: 'optimizer.lr' });
    expect(parseField('metrics.train/loss.min')).toEqual({ kind: 'metric', name: 'train/loss', stat: 'min' });
    expect(parseField('metrics.`val.acc`')).toEqual({ kind: 'metric', name: 'val.acc', stat: 'last' });
    expect(parseField('metrics.`max`')).toEqual({ kind: 'metric', name: 'max', stat: 'last' });
    expect(parseField('params.`my key`.x')).toEqual({ kind: 'param', path: 'my key.x' });
    expect(parseFilter('params.layers.0 = 64')).toMatchObject({ field: { kind: 'param', path: 'layers.0' }, value: 64 });
    expect(parseFilter('name NOT IN ("a", \'b\')')).toMatchObject({ type: 'in', negated: true, values: ['a', 'b'] });
    expect(parseFilter('name ILIKE "%bert%"')).toMatchObject({ type: 'like', caseInsensitive: true, pattern: '%bert%' });
    expect(parseFilter('ended_at IS NOT NULL')).toMatchObject({ type: 'null', negated: true });
    expect(parseFilter('EXISTS params.seed')).toMatchObject({ type: 'exists', field: { kind: 'param', path: 'seed' } });
    expect(parseFilter('tags CONTAINS "baseline"')).toEqual({ type: 'contains', value: 'baseline' });
    expect(parseFilter('params.lr > -.5')).toMatchObject({ value: -0.5 });
    expect(parseFilter('params.debug = true')).toMatchObject({ value: true });
    expect(parseFilter('name = "say \\"hi\\""')).toMatchObject({ value: 'say "hi"' });
    expect(parseFilter('name <> "x"')).toMatchObject({ op: '!=' });
    expect(parseFilter('   ')).toBeNull();
  });

  it('explains mistakes with their position', () => {
    const cases: Array<[string, RegExp]> = [
      ['params.lr >', /expected a value after '>'.*character 12/],
      ['state = finished', /expected a value.*quote strings/],
      ['name = "open', /unterminated string/],
      ['(state = "a"', /expected '\)'/],
      ['colour = "red"', /unknown field "colour"/],
      ['state = "a" state', /unexpected 'state'; expected AND, OR or the end/],
      ['params = 1', /expected '.' and a name/],
      ['name ~ "x"', /unexpected character "~"/],
    ];
    for (const [text, message] of cases) expect(() => parseFilter(text), text).toThrow(message);
  });

  it('enforces limits on length, nesting and IN lists', () => {
    expect(() => parseFilter(`name = "${'x'.repeat(4_000)}"`)).toThrow(FilterError);
    expect(() => parseFilter(`${'('.repeat(40)}name = "x"${')'.repeat(40)}`)).toThrow(/nesting deeper than 32/);
    expect(() => parseFilter(`number IN (${Array.from({ length: 1_001 }, (_, i) => i).join(',')})`)).toThrow(/at most 1000/);
  });
});

describe('compiled SQL', () => {
  function compile(filter: string) {
    const sql = new RunSqlBuilder(['org', 'project']);
    const where = sql.where(parseFilter(filter)!);
    return { text: `WHERE ${where}`, params: sql.params };
  }

  it('keeps user text out of the SQL string, in names and in values', () => {
    const hostile = [
      `name = "x'; DROP TABLE runs; --"`,
      "params.`a'--` = 1",
      'metrics.`loss"; DELETE FROM series; --` > 0',
      'params.`) OR 1=1 --`.x LIKE "%\'%"',
      `tags CONTAINS "'); DROP TABLE runs; --"`,
    ];
    for (const filter of hostile) {
      const { text, params } = compile(filter);
      expect(text).not.toMatch(/DROP|DELETE|--|1=1/);
      expect(params.length).toBeGreaterThan(2);
    }
  });

  it('serves param equality with a containment the GIN index can use', () => {
    const { text, params } = compile('params.optimizer = "adam"');
    expect(text).toContain('r.params @> $3::jsonb');
    expect(params[2]).toBe('{"optimizer":"adam"}');
  });

  it('reads metrics by one index probe per run, never a join, binding each name once', () => {
    const { text, params } = compile('metrics.loss < 1 AND metrics.loss.min > 0 AND metrics.acc > 0.5');
    expect(text).not.toMatch(/JOIN/);
    expect(text).toContain(
      "(SELECT s.last_value FROM series s WHERE s.organization_id = r.organization_id AND s.run_id = r.id AND s.kind = 'metric' AND s.name = $3::text)",
    );
    expect(text).toContain(
      "(SELECT s.min_value FROM series s WHERE s.organization_id = r.organization_id AND s.run_id = r.id AND s.kind = 'metric' AND s.name = $3::text)",
    );
    expect(params.filter((p) => p === 'loss')).toHaveLength(1);
  });

  it('refuses a number for a time and text for a metric', () => {
    expect(() => compile('created_at > 5')).toThrow(/is a time/);
    expect(() => compile('metrics.loss > "low"')).toThrow(/is numeric/);
  });

  it('sorts with a unique tiebreaker last', () => {
    const sql = new RunSqlBuilder([]);
    const keys = compileSort('-metrics.loss.min, params.lr', sql);
    expect(keys.map((k) => k.descending)).toEqual([true, false, false]);
    expect(keys.at(-1)!.sql).toBe('r.id');
    expect(() => compileSort('tags', new RunSqlBuilder([]))).toThrow(/cannot sort by tags/);
  });
});
