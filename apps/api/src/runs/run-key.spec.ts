import { describe, expect, it } from 'vitest';
import { parseRunRef, runKey, runKeyPrefix } from './run-key';

describe('run keys', () => {
  it('derives the prefix from the first word of the slug', () => {
    expect(runKeyPrefix('vision-models')).toBe('VISION');
    expect(runKeyPrefix('nlp')).toBe('NLP');
    expect(runKeyPrefix('speechrecognition-2')).toBe('SPEECH');
    expect(runKey('vis', 42)).toBe('VIS-42');
  });

  it('parses a key of this project, case-insensitively, and a uuid', () => {
    expect(parseRunRef('VIS-42', 'vis')).toEqual({ number: 42 });
    expect(parseRunRef('vis-7', 'vis')).toEqual({ number: 7 });
    expect(parseRunRef('3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'vis')).toEqual({ id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
  });

  it('matches nothing for keys of another project or garbage', () => {
    expect(parseRunRef('NLP-1', 'vis')).toBeNull();
    expect(parseRunRef('VIS-', 'vis')).toBeNull();
    expect(parseRunRef("VIS-1'; DROP TABLE runs", 'vis')).toBeNull();
    expect(parseRunRef('../VIS-1', 'vis')).toBeNull();
  });
});
