import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, multiNodeWarnings } from './config';

const base = { TRACKBASE_DATA_DIR: '/tmp/tb-config-spec', JWT_SECRET: 'x'.repeat(32) };

describe('TRUST_PROXY', () => {
  it('is off by default: X-Forwarded-For is nobody’s to set', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
  });

  it('takes a list of balancer addresses, ranges and named ranges', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
  });

  it('refuses what would trust every peer or is not an address', () => {
    for (const value of ['true', '*', '1', '10.0.0.0/33', 'example.com', '10.0.0.1/8/8'])
      expect(() => loadConfig({ ...base, TRUST_PROXY: value }), value).toThrow(ConfigError);
  });
});

describe('TRASH_RETENTION_DAYS', () => {
  it('keeps deleted items 30 days unless told otherwise; 0 purges at the next pass', () => {
    expect(loadConfig(base).TRASH_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ ...base, TRASH_RETENTION_DAYS: '7' }).TRASH_RETENTION_DAYS).toBe(7);
    expect(loadConfig({ ...base, TRASH_RETENTION_DAYS: '0' }).TRASH_RETENTION_DAYS).toBe(0);
  });

  it('refuses what is not a whole number of days in range', () => {
    for (const value of ['-1', '1.5', 'soon', '3651'])
      expect(() => loadConfig({ ...base, TRASH_RETENTION_DAYS: value }), value).toThrow(ConfigError);
  });
});

describe('RETENTION_SCHEDULE_INTERVAL_MS', () => {
  it('looks for due policies every ten minutes unless told otherwise; 0 turns the schedule off', () => {
    expect(loadConfig(base).RETENTION_SCHEDULE_INTERVAL_MS).toBe(600_000);
    expect(loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL_MS: '0' }).RETENTION_SCHEDULE_INTERVAL_MS).toBe(0);
    expect(loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL_MS: '5000' }).RETENTION_SCHEDULE_INTERVAL_MS).toBe(5000);
  });

  it('refuses intervals that would busy-loop or never come, and what is not a number', () => {
    for (const value of ['-1', '10', '999', '86400001', '1.5', 'hourly'])
      expect(() => loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL_MS: value }), value).toThrow(ConfigError);
  });
});

describe('SECRETS_KEY', () => {
  it('takes 32 bytes as base64 or hex, and refuses anything else at boot', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ ...base, SECRETS_KEY: key.toString('base64') }).SECRETS_KEY).toEqual(key);
    expect(loadConfig({ ...base, SECRETS_KEY: key.toString('hex') }).SECRETS_KEY).toEqual(key);
    for (const bad of ['short', Buffer.alloc(16).toString('base64'), Buffer.alloc(48, 1).toString('base64'), 'z'.repeat(64)]) {
      expect(() => loadConfig({ ...base, SECRETS_KEY: bad })).toThrow(ConfigError);
    }
  });

  it('is generated once into the data directory outside production, and absent in production unless set', () => {
    const first = loadConfig(base).SECRETS_KEY;
    expect(first).toHaveLength(32);
    expect(loadConfig(base).SECRETS_KEY).toEqual(first);
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).SECRETS_KEY).toBeNull();
  });

  it('plain-http identity providers are refused in production', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', SSO_ALLOW_HTTP_ISSUERS: 'true' })).toThrow(ConfigError);
  });
});

describe('SSO_DNS_SERVERS', () => {
  it('takes addresses with optional ports, and refuses names and bad ports at boot', () => {
    expect(loadConfig(base).SSO_DNS_SERVERS).toEqual([]);
    expect(loadConfig({ ...base, SSO_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.2,[::1]:53,::1' }).SSO_DNS_SERVERS).toEqual([
      '127.0.0.1:5353',
      '10.0.0.2',
      '[::1]:53',
      '::1',
    ]);
    for (const bad of ['dns.example.com', '127.0.0.1:0', '127.0.0.1:70000', '[::1]:x'])
      expect(() => loadConfig({ ...base, SSO_DNS_SERVERS: bad }), bad).toThrow(ConfigError);
  });
});

describe('multiNodeWarnings', () => {
  it('warns a node with Redis (maybe one of several) whose secrets are generated per data directory', () => {
    expect(multiNodeWarnings({})).toEqual([]);
    expect(multiNodeWarnings({ REDIS_URL: 'redis://x' })[0]).toMatch(/JWT_SECRET and SECRETS_KEY are generated/);
    expect(multiNodeWarnings({ REDIS_URL: 'redis://x', JWT_SECRET: 'x'.repeat(32) })[0]).toMatch(/SECRETS_KEY is generated/);
    expect(multiNodeWarnings({ REDIS_URL: 'redis://x', JWT_SECRET: 'x'.repeat(32), SECRETS_KEY: 'k' })).toEqual([]);
  });
});
