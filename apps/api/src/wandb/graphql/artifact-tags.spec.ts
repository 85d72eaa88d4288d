import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors/app-error';
import { tagNames } from './artifact-tags';

const names = (...tags: string[]) => tagNames(tags.map((tagName) => ({ tagName })));

describe('W&B artifact tags', () => {
  it('keeps the distinct names in order', () => {
    expect(names('orig-TAG 1', 'other_tag', 'orig-TAG 1', 'größe')).toEqual(['orig-TAG 1', 'other_tag', 'größe']);
    expect(tagNames(null)).toEqual([]);
  });

  it.each(['!invalid-tag:with-punctuation', '', ' ', 'trailing space ', ' leading space', 'x'.repeat(129)])(
    'refuses %j as a bad request',
    (bad) => {
      let error: unknown;
      try {
        names('good-tag', bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect((error as AppError).message).toMatch(/^Invalid tag/);
    },
  );

  it('refuses more than 20 tags in one request', () => {
    expect(() => names(...Array.from({ length: 21 }, (_, i) => `t${i}`))).toThrow(/at most 20/);
  });
});
