import { describe, expect, it } from 'vitest';
import { composeFilter, quote } from './filter-expression';

describe('runs quick filters', () => {
  it('leave the typed filter alone when none is chosen', () => {
    expect(composeFilter(' metrics.loss < 0.5 ', [], [])).toBe('metrics.loss < 0.5');
    expect(composeFilter('', [], [])).toBe('');
  });

  it('match any chosen state and any chosen tag, and keep the typed filter in parentheses', () => {
    expect(composeFilter('', ['failed'], [])).toBe('state = "failed"');
    expect(composeFilter('a = 1 OR b = 2', ['failed', 'crashed'], ['baseline'])).toBe(
      '(a = 1 OR b = 2) AND state IN ("failed", "crashed") AND tags CONTAINS "baseline"',
    );
    expect(composeFilter('', [], ['x', 'y'])).toBe('(tags CONTAINS "x" OR tags CONTAINS "y")');
  });

  it('escape quotes and backslashes in tags', () => {
    expect(quote('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });
});
