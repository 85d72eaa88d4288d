import { describe, expect, it } from 'vitest';
import { toTrackbaseRef, wandbVersionIndex } from './artifact-numbering';

describe('W&B artifact numbering', () => {
  it('names Trackbase v1 as W&B v0 and back', () => {
    expect(wandbVersionIndex({ version: 'v1' })).toBe(0);
    expect(wandbVersionIndex({ version: 'v12' })).toBe(11);
    expect(toTrackbaseRef('v0')).toBe('v1');
    expect(toTrackbaseRef('v11')).toBe('v12');
  });

  it('a draft has no index', () => {
    expect(wandbVersionIndex({ version: null })).toBeNull();
  });

  it('aliases and ids are passed through unchanged', () => {
    expect(toTrackbaseRef('latest')).toBe('latest');
    expect(toTrackbaseRef('best-v0')).toBe('best-v0');
    expect(toTrackbaseRef('v0x')).toBe('v0x');
    expect(toTrackbaseRef('7f0c1c9e-3b1a-4e52-9a8c-2b3d4e5f6a7b')).toBe('7f0c1c9e-3b1a-4e52-9a8c-2b3d4e5f6a7b');
  });

  it('a version number too large to count stays as given', () => {
    expect(toTrackbaseRef('v99999999999999999999')).toBe('v99999999999999999999');
  });
});
