import { describe, expect, it } from 'vitest';
import { parseArtifactRef } from './artifact-ref';

describe('artifact references', () => {
  it('defaults to latest and reads aliases, versions and a project', () => {
    expect(parseArtifactRef('mnist')).toEqual({ name: 'mnist', version: 'latest' });
    expect(parseArtifactRef('mnist:v3')).toEqual({ name: 'mnist', version: 'v3' });
    expect(parseArtifactRef('acme/vision/mnist:production')).toEqual({
      org: 'acme',
      project: 'vision',
      name: 'mnist',
      version: 'production',
    });
  });

  it('refuses malformed references', () => {
    for (const ref of ['', 'mnist:', 'a/mnist', 'a//mnist:v1']) expect(() => parseArtifactRef(ref)).toThrow(/artifact is named/);
  });
});
