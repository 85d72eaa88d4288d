import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'nestjs-pino';

export type LogFormat = 'json' | 'pretty';

/** JSON lines for machines (not a terminal, or LOG_FORMAT=json); one short readable line per entry on a terminal. */
export function resolveLogFormat(setting: 'auto' | LogFormat, isTTY: boolean): LogFormat {
  return setting === 'auto' ? (isTTY ? 'pretty' : 'json') : setting;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'req', 'res', 'responseTime', 'context', 'reqId']);

/** One pino JSON line as `12:00:01 warn  POST /api/v1/… 404 3 ms  message  key=value`. */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toTimeString().slice(0, 8);
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const req = entry.req as { method?: string; url?: string } | undefined;
  const res = entry.res as { statusCode?: number } | undefined;
  const request = req ? `${req.method} ${req.url} ${res?.statusCode ?? ''} ${entry.responseTime ?? '?'} ms  ` : '';
  const rest = Object.entries(entry)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${level} ${request}${String(entry.msg ?? '')}${rest ? `  ${rest}` : ''}\n`;
}

/** Where pino writes: stdout as it is, or reformatted for a terminal. */
export function logStream(format: LogFormat): { write(line: string): void } {
  if (format === 'json') return process.stdout;
  return { write: (line: string) => void process.stdout.write(prettyLine(line)) };
}

/** Framework start-up chatter (every module and route, about 200 lines) that belongs at debug level. */
const CHATTY = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'WebSocketsController']);

/** Nest's logger on pino, with the framework's start-up chatter moved to debug. */
export class AppLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    const context = optional[optional.length - 1];
    if (typeof context === 'string' && CHATTY.has(context)) this.pino.debug(message, ...optional);
    else this.pino.log(message, ...optional);
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.pino.error(message, ...optional);
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.pino.warn(message, ...optional);
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.pino.debug(message, ...optional);
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.pino.verbose(message, ...optional);
  }
  fatal(message: unknown, ...optional: unknown[]): void {
    this.pino.fatal(message, ...optional);
  }
}
