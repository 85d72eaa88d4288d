import { describe, expect, it } from 'vitest';
import { MlflowRunSqlBuilder, translateOrderBy, translateRunsFilter } from './runs-filter';
import { toMlflowError } from '../mlflow-error.filter';
import { MlflowError } from '../mlflow.errors';
import { AppError } from '../../common/errors/app-error';

function compile(filter: string) {
  const sql = new MlflowRunSqlBuilder(['org', ['project']]);
  const node = translateRunsFilter(filter);
  return { where: node ? sql.where(node) : 'TRUE', params: sql.params };
}

describe('MLflow filters become the runs filter language', () => {
  it('translates metrics, params, tags and attributes with every value bound', () => {
    const { where, params } = compile(
      "metrics.acc > 0.9 and params.lr = '0.01' and tags.mlflow.runName LIKE '%resnet%' and attributes.status = 'FINISHED' and tags.team = 'x'",
    );
    expect(params).toEqual(expect.arrayContaining(['org', ['project'], 'acc', 0.9, '{"lr":"0.01"}', '%resnet%', 'finished', 'team', 'x']));
    expect(where).not.toMatch(/resnet|0\.01|team|finished/);
    expect(where).toContain(
      "(SELECT s.last_value FROM series s WHERE s.organization_id = r.organization_id AND s.run_id = r.id AND s.kind = 'metric' AND s.name = $3::text)",
    );
    expect(where).toContain('mr.tags ->>');
  });

  it('keeps quotes and SQL in values as data', () => {
    const { where, params } = compile(`params.name = 'x'' OR 1=1 --' and tags."odd key" ILIKE '%a%'`);
    expect(where).not.toContain('1=1');
    expect(params).toContain(JSON.stringify({ name: "x' OR 1=1 --" }));
    expect(params).toContain('odd key');
  });

  it('supports IN, NOT IN and IS NULL', () => {
    const { where } = compile(
      "attributes.run_id IN ('0b5c6a1e-0000-4000-8000-000000000001', '0b5c6a1e-0000-4000-8000-000000000002') and params.p IS NULL and metrics.m IS NOT NULL and params.q NOT IN ('a')",
    );
    expect(where).toMatch(/\(r\.id = \$\d+::uuid\) OR \(r\.id = \$\d+::uuid\)/);
    expect(where).toContain('NOT');
  });

  it('refuses what MLflow refuses, as INVALID_PARAMETER_VALUE', () => {
    for (const bad of [
      'metrics.acc >',
      "metrics.acc > 'high'",
      'params.lr = 0.1',
      'attributes.bogus = 1',
      'metrics.a = 1 or metrics.b = 2',
      "dataset.name = 'x'",
    ]) {
      expect(() => compile(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE', status: 400 }));
    }
  });

  it('orders by metrics, params and attributes; by start time when none is given', () => {
    expect(
      translateOrderBy(['metrics.acc DESC', 'params.`lr`', 'attributes.start_time ASC']).map((k) => [k.ref.kind, k.descending]),
    ).toEqual([
      ['metric', true],
      ['param', false],
      ['attribute', false],
    ]);
    expect(translateOrderBy(undefined)).toEqual([{ ref: { kind: 'attribute', name: 'started_at' }, descending: true }]);
    expect(() => translateOrderBy(['tags.x'])).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }));
  });
});

describe('errors in MLflow shape', () => {
  it('maps Trackbase errors onto the codes the client branches on, never 5xx for refusals', () => {
    expect(toMlflowError(new AppError(404, 'not_found', 'run not found')).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(toMlflowError(new AppError(403, 'forbidden', 'no')).body.error_code).toBe('PERMISSION_DENIED');
    expect(toMlflowError(new AppError(401, 'unauthenticated', 'who')).body.error_code).toBe('UNAUTHENTICATED');
    const conflict = toMlflowError(new AppError(409, 'project_slug_taken', 'taken'));
    expect([conflict.status, conflict.body.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    const tooLarge = toMlflowError(new AppError(413, 'payload_too_large', 'big'));
    expect([tooLarge.status, tooLarge.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(toMlflowError(new MlflowError('ENDPOINT_NOT_FOUND', 'x'))).toMatchObject({
      status: 404,
      body: { error_code: 'ENDPOINT_NOT_FOUND' },
    });
    expect(toMlflowError(new Error('bug'))).toMatchObject({ status: 500, unexpected: true, body: { error_code: 'INTERNAL_ERROR' } });
  });
});
