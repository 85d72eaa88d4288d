import { RequestMethod, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { CommonErrorCode } from '@trackbase/contracts';
import { AppModule } from './app.module';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { AppError } from './common/errors/app-error';
import { toErrorResponse } from './common/errors/error.filter';
import { toScimError } from './scim/scim-error.filter';
import { Metrics } from './metrics/metrics';
import { httpMetrics } from './metrics/http-metrics';
import { jsonTextProblem, MAX_JSON_DEPTH } from './common/validation/json-text';
import { Logger } from 'nestjs-pino';
import { AppLogger } from './common/logging/log-format';
import { requestIdFor, requestLogging } from './common/logging/logger.module';
import type { AppConfig } from './config/config';

export const API_PREFIX = 'api/v1';

/** Builds the configured application; `main.ts` and the integration tests both start it this way. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(new AppLogger(app.get(Logger)));
  // Only the configured balancers may name the client (X-Forwarded-For); by default the peer is the client.
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  if (config.REDIS_URL) {
    const adapter = new RedisIoAdapter(app, config.REDIS_URL, config.REDIS_KEY_PREFIX);
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
  }
  app.use(httpMetrics(app.get(Metrics)));
  app.use(jsonBody(config.JSON_BODY_LIMIT, config.BATCH_BODY_LIMIT));
  serveWebApp(app, resolve(config.WEB_DIST_DIR));
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'healthz', method: RequestMethod.GET },
      { path: 'readyz', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // The W&B client's base URL is {host}/wandb (apps/api/src/wandb).
      { path: 'wandb/{*path}', method: RequestMethod.ALL },
      // MLflow's client keeps the tracking URI's path: `<host>/mlflow/<org>/api/2.0/mlflow/...`.
      { path: 'mlflow/{*path}', method: RequestMethod.ALL },
      // SCIM clients are given `<host>/scim/v2/<org>` (apps/api/src/scim).
      { path: 'scim/{*path}', method: RequestMethod.ALL },
    ],
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Trackbase API')
      .setDescription('Experiment tracking and ML metadata. Authenticate with `Authorization: Bearer <access token or API key>`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, declarePathParameters(cleanupOpenApiDoc(document)), { jsonDocumentUrl: 'api/openapi.json' });
  // After the body parser, the web app's files and the API docs, where Nest mounted nestjs-pino's middleware.
  app.use(requestLogging(config));
  return app;
}

type OpenApiDocument = ReturnType<typeof cleanupOpenApiDoc>;

/**
 * Route DTOs validate only the parameters a handler reads (`{run}`); the
 * guard resolves `{org}` and `{project}` for every route. Every template
 * parameter is declared here so that the document describes each path fully.
 */
function declarePathParameters(document: OpenApiDocument): OpenApiDocument {
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const operation of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[operation];
      if (!op) continue;
      const declared = new Set((op.parameters ?? []).map((p) => ('name' in p ? `${p.in}:${p.name}` : '')));
      const missing = names.filter((name) => !declared.has(`path:${name}`));
      op.parameters = [
        ...missing.map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' as const } })),
        ...(op.parameters ?? []),
      ];
    }
  }
  return document;
}

/**
 * JSON body parsing whose failures (malformed, too large) answer in the shared
 * error shape. Run batches carry series and get a larger limit than the rest.
 * Storage object routes take raw bodies of any type (an uploaded .json file
 * included) and stream them to disk, so they are left alone.
 */
function jsonBody(limit: string, batchLimit: string) {
  const verify = (_request: unknown, _response: unknown, raw: Buffer) => {
    const problem = jsonTextProblem(raw);
    if (problem === 'nul') throw new AppError(400, CommonErrorCode.InvalidText, 'text may not contain NUL characters (\\u0000)');
    if (problem === 'lone_surrogate') {
      throw new AppError(
        400,
        CommonErrorCode.InvalidText,
        'text may not contain a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)',
      );
    }
    if (problem === 'too_deep') {
      throw new AppError(400, CommonErrorCode.JsonTooDeep, `arrays and objects may nest at most ${MAX_JSON_DEPTH} levels deep`);
    }
  };
  // SCIM clients send `application/scim+json` (RFC 7644 section 3.1).
  const type = ['application/json', 'application/scim+json'];
  const parseSmall = express.json({ limit, strict: true, verify, type });
  const parseBatch = express.json({ limit: batchLimit, strict: true, verify, type });
  const rawBodies = [`/${API_PREFIX}/storage/`, '/wandb/uploads/'];
  // SAML IdPs post their responses as a form (HTTP-POST binding), to the ACS only.
  const samlAcs = new RegExp(`^/${API_PREFIX}/auth/sso/[^/]+/saml/acs$`);
  const parseForm = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 10 });
  // MLflow's artifact proxy takes file bytes of any type, as the storage routes do.
  const mlflowArtifacts = /^\/mlflow\/[^/]+\/api\/2\.0\/mlflow-artifacts\/artifacts\//;
  return (request: Request, response: Response, next: NextFunction) => {
    if (rawBodies.some((prefix) => request.path.startsWith(prefix)) || mlflowArtifacts.test(request.path)) return next();
    const large = request.path.endsWith('/batches') || request.path.endsWith('/file_stream');
    const form = request.method === 'POST' && samlAcs.test(request.path) && request.is('application/x-www-form-urlencoded');
    const parse = form ? parseForm : request.method === 'POST' && large ? parseBatch : parseSmall;
    parse(request, response, (error?: unknown) => {
      if (!error) return next();
      if (request.path.startsWith('/scim/')) {
        const scim = toScimError(error);
        return void response.status(scim.status).type('application/scim+json').json(scim.body);
      }
      const { status, body } = toErrorResponse(error);
      body.error.requestId = requestIdFor(request, response);
      response.status(status).json(body);
    });
  };
}

const NOT_WEB = /^\/(api|socket\.io|healthz|readyz|metrics|wandb|mlflow|scim)(\/|$)/;
/** Web routes other sites may frame: one panel of a shared report (`/shared/reports/{token}/embed/{block}`). */
const EMBEDDABLE = /^\/shared\/reports\/[^/]+\/embed\/[^/]+\/?$/;

/**
 * The web app is served from the same origin as the API: its built files, and
 * index.html for any other GET so client-side routes survive a reload. When
 * the app is not built, the API runs alone.
 */
function serveWebApp(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return;
  app.use(express.static(dir, { index: false, maxAge: '1h' }));
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || NOT_WEB.test(request.path) || !request.accepts('html')) return next();
    // Only a shared report's panel embed may be framed by other sites (wikis, docs); every other page refuses (clickjacking).
    if (!EMBEDDABLE.test(request.path)) {
      response.setHeader('Content-Security-Policy', "frame-ancestors 'self'");
      response.setHeader('X-Frame-Options', 'SAMEORIGIN');
    }
    response.sendFile(index);
  });
}
