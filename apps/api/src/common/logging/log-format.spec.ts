import { describe, expect, it } from 'vitest';
import { AppLogger, prettyLine, resolveLogFormat } from './log-format';
import { readyBanner } from './ready-banner';

describe('log format', () => {
  it('is readable lines on a terminal and JSON otherwise, unless asked', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('a request line shows method, path, status and time; other fields follow as key=value', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 0, 1),
      req: { id: 'r1', method: 'GET', url: '/api/v1/x' },
      res: { statusCode: 404 },
      responseTime: 3,
      msg: 'request completed',
      reqId: 'r1',
      org: 'acme',
    });
    expect(prettyLine(line)).toMatch(/^\d\d:\d\d:\d\d warn {2}GET \/api\/v1\/x 404 3 ms {2}request completed {2}org=acme\n$/);
    expect(prettyLine('not json')).toBe('not json\n');
  });

  it("the framework's route and module chatter goes to debug; everything else keeps its level", () => {
    const calls: string[] = [];
    const pino = {
      log: (m: string) => calls.push(`info ${m}`),
      debug: (m: string) => calls.push(`debug ${m}`),
    } as never;
    const logger = new AppLogger(pino);
    logger.log('Mapped {/api/v1/orgs, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('storage janitor started', 'StorageJanitor');
    expect(calls).toEqual([
      'debug Mapped {/api/v1/orgs, GET} route',
      'debug AppModule dependencies initialized',
      'info storage janitor started',
    ]);
  });

  it('the banner says where the app and the docs are and how to log a first run, in a few lines', () => {
    const banner = readyBanner({ url: 'http://127.0.0.1:3000', webApp: true, startupMs: 4_200 });
    expect(banner).toContain('ready at http://127.0.0.1:3000 (started in 4.2 s)');
    expect(banner).toMatch(/Open the app +http:\/\/127\.0\.0\.1:3000 /);
    expect(banner).toContain('http://127.0.0.1:3000/api/docs');
    expect(banner).toContain('TRACKBASE_API_KEY');
    expect(banner.trim().split('\n').length).toBeLessThanOrEqual(10);
    expect(readyBanner({ url: 'http://h', webApp: false, startupMs: 1 })).toContain('not built');
  });
});
