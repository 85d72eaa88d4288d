import { describe, expect, it } from 'vitest';
import { flattenParams } from './params';

describe('flattenParams', () => {
  it('flattens nested objects by dotted path and keeps lists whole', () => {
    expect(flattenParams({ optimizer: { name: 'adam', lr: 0.001, betas: [0.9, 0.999] }, epochs: 3, debug: false, seed: null })).toEqual({
      'optimizer.name': 'adam',
      'optimizer.lr': 0.001,
      'optimizer.betas': [0.9, 0.999],
      epochs: 3,
      debug: false,
      seed: null,
    });
  });

  it('treats keys that already contain dots as paths', () => {
    expect(flattenParams({ 'model.layers': 12, model: { heads: 8 } })).toEqual({ 'model.layers': 12, 'model.heads': 8 });
  });

  it('keeps an empty object as a value rather than dropping it', () => {
    expect(flattenParams({ scheduler: {} })).toEqual({ scheduler: {} });
  });
});
