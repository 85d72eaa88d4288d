import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp, type Options } from 'pino-http';
import type { AppConfig } from '../../config/config';
import { logStream, resolveLogFormat } from './log-format';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Signed storage URLs carry their grant in the path; logged, it would be a usable credential until it expires. */
const SIGNED_URL = /^(\/api\/v1\/storage\/(?:objects|archives)\/)[^/?]+/;

/** A credential someone put in the query (refused as `credential_in_url`, but the refused request is logged too). */
const QUERY_CREDENTIAL = /([?&](?:access_token|api_key|token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SIGNED_URL, '$1[redacted]').replace(QUERY_CREDENTIAL, '$1[redacted]');
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

/** pino-http's settings: a request id on every line, credentials never in the log, one line per answered request. */
function pinoHttpParams(config: AppConfig): [Options, { write(line: string): void }] {
  return [
    {
      level: config.LOG_LEVEL,
      genReqId: (request: IncomingMessage, response) => requestIdFor(request, response),
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.refreshToken', '*.token'],
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
  ];
}

/**
 * Structured JSON logs with a request id on every line; credentials never reach the log. The request logging
 * itself is `requestLogging`, mounted once by `createApp`: nestjs-pino's own middleware, mounted by Nest for
 * `{*path}`, became one Express layer per route excluded from the global prefix (about 170 layers that every
 * request walked before reaching any route).
 */
export function loggerModule(config: AppConfig) {
  return LoggerModule.forRoot({ pinoHttp: pinoHttpParams(config), useExisting: true, forRoutes: [] });
}

/**
 * pino-http for every request (its line when the answer is sent, `req.log`), and the request's logger bound for
 * the Nest `Logger` calls made while serving it, as nestjs-pino's middleware binds it.
 */
export function requestLogging(config: AppConfig) {
  const http = pinoHttp(...pinoHttpParams(config));
  return (request: Request, response: Response, next: NextFunction) =>
    http(request, response, () => storage.run(new Store(request.log), next));
}
