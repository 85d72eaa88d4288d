import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * MLflow's client sends `MLFLOW_TRACKING_USERNAME`/`PASSWORD` as Basic auth (and
 * `MLFLOW_TRACKING_TOKEN` as Bearer). On MLflow routes, Basic with any user name
 * and a Trackbase API key as password is read as that key, so both work.
 */
@Injectable()
export class MlflowAuthMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const header = request.headers.authorization;
    if (header && /^basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const password = colon >= 0 ? decoded.slice(colon + 1) : '';
      if (password) request.headers.authorization = `Bearer ${password}`;
    }
    next();
  }
}
