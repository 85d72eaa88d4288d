import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config';
import { collectContext, redactEnv } from './collect';

describe('context', () => {
  it('redacts secret-looking variables by name and by value', () => {
    expect(
      redactEnv({
        AWS_SECRET_ACCESS_KEY: 'x',
        GITHUB_TOKEN: 'y',
        DB_PASSWORD: 'z',
        HOME: '/root',
        MY_VAR: 'tbk_abcdefgh_1234567890abcdef',
        LR: '0.1',
      }),
    ).toEqual({
      AWS_SECRET_ACCESS_KEY: '[redacted]',
      GITHUB_TOKEN: '[redacted]',
      DB_PASSWORD: '[redacted]',
      HOME: '/root',
      MY_VAR: '[redacted]',
      LR: '0.1',
    });
  });

  it('collects what is asked and leaves out what is switched off', () => {
    const context = collectContext({ git: false, env: false, dependencies: false });
    expect(context.source).toBeUndefined();
    expect(context.env).toBeUndefined();
    expect(context.runtime).toEqual({ language: 'node', version: process.version });
    expect(context.host?.cpuCount).toBeGreaterThan(0);
  });
});

describe('resolveConfig', () => {
  it('takes arguments over environment and checks the project and mode', () => {
    const env = {
      TRACKBASE_URL: 'http://env:1/',
      TRACKBASE_API_KEY: 'k',
      TRACKBASE_PROJECT: 'acme/vision',
      TRACKBASE_MODE: 'offline',
      TRACKBASE_CONFIG_DIR: '/nonexistent',
    };
    expect(resolveConfig({}, env)).toMatchObject({ url: 'http://env:1', apiKey: 'k', org: 'acme', project: 'vision', mode: 'offline' });
    expect(resolveConfig({ url: 'http://arg', mode: 'sync' }, env)).toMatchObject({ url: 'http://arg', mode: 'sync' });
    expect(() => resolveConfig({}, { ...env, TRACKBASE_MODE: 'turbo' })).toThrow(/TRACKBASE_MODE/);
    expect(() => resolveConfig({ project: 'just-one' }, env)).toThrow(/org\/project/);
  });
});
