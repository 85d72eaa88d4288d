import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../../config/config';
import { logStream, resolveLogFormat } from './log-format';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Signed storage URLs carry their grant in the path; logged, it would be a usable credential until it expires. */
const SIGNED_URL = /^(\/api\/v1\/storage\/(?:objects|archives)\/)[^/?]+/;

export function redactUrl(url: string): string {
  return url.replace(SIGNED_URL, '$1[redacted]');
}

/** The caller's x-request-id when well-formed, else a new one; echoed in the response header. */
export function requestIdFor(
  request: IncomingMessage & { id?: unknown },
  response: { setHeader(name: string, value: string): unknown },
): string {
  if (typeof request.id === 'string') return request.id;
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('x-request-id', id);
  request.id = id;
  return id;
}

/** Structured JSON logs with a request id on every line; credentials never reach the log. */
export function loggerModule(config: AppConfig) {
  return LoggerModule.forRoot({
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: config.LOG_LEVEL,
        genReqId: (request: IncomingMessage, response) => requestIdFor(request, response),
        redact: {
          paths: [
            'req.headers.authorization',
            'req.headers.cookie',
            'res.headers["set-cookie"]',
            '*.password',
            '*.refreshToken',
            '*.token',
          ],
          censor: '[redacted]',
        },
        customLogLevel: (_request, response, error) =>
          error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
        autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/readyz' },
        serializers: {
          req: (request: { id: string; method: string; url: string }) => ({
            id: request.id,
            method: request.method,
            url: redactUrl(request.url),
          }),
        },
      },
      logStream(resolveLogFormat(config.LOG_FORMAT, process.stdout.isTTY === true)),
    ],
  });
}
