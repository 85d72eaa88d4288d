import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.module';

describe('redactUrl', () => {
  it('hides the grant of signed storage URLs and nothing else', () => {
    expect(redactUrl('/api/v1/storage/objects/eyJhbGc.sig')).toBe('/api/v1/storage/objects/[redacted]');
    expect(redactUrl('/api/v1/storage/archives/abc.def?x=1')).toBe('/api/v1/storage/archives/[redacted]?x=1');
    expect(redactUrl('/api/v1/orgs/acme/projects')).toBe('/api/v1/orgs/acme/projects');
  });

  it('hides a credential put in the query, keeping the rest of the query', () => {
    expect(redactUrl('/api/v1/orgs/a/projects/p/runs/1/batches?access_token=tbk_secret&x=1')).toBe(
      '/api/v1/orgs/a/projects/p/runs/1/batches?access_token=[redacted]&x=1',
    );
    expect(redactUrl('/api/v1/auth/verify?token=abc')).toBe('/api/v1/auth/verify?token=[redacted]');
    expect(redactUrl('/api/v1/runs?pageToken=abc&limit=5')).toBe('/api/v1/runs?pageToken=abc&limit=5');
  });
});
