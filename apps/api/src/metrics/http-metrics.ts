import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './metrics';

/**
 * Counts and times every answered request by its route pattern (`/api/v1/orgs/:org/projects`),
 * never by its concrete path, so label values stay few. Requests no route took (static files of
 * the web app, unknown paths) share one label.
 */
export function httpMetrics(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const pattern = request.route?.path as string | undefined;
      const route = pattern ? `${request.baseUrl}${pattern}` : 'unmatched';
      const labels = { method: request.method, route, status: String(response.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
