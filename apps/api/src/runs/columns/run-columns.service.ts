import { Injectable } from '@nestjs/common';
import { METRIC_SUMMARY_STATS, runField, tagField, type RunColumn, type RunColumnList, type RunColumnType } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { RunColumnsRepository } from './run-columns.repository';

/** Attributes every run has, in the order the picker lists them. */
const ATTRIBUTE_COLUMNS: Array<[string, RunColumnType]> = [
  ['key', 'key'],
  ['name', 'text'],
  ['state', 'state'],
  ['tags', 'tags'],
  ['created_at', 'time'],
  ['started_at', 'time'],
  ['ended_at', 'time'],
  ['duration', 'duration'],
  ['created_by', 'user'],
  ['description', 'text'],
  ['external_id', 'text'],
  ['number', 'number'],
];

const DEFAULT_METRICS = 4;
const DEFAULT_PARAMS = 4;

/** The column picker's list: attributes, params, metrics and tags of the project, and sensible defaults. */
@Injectable()
export class RunColumnsService {
  constructor(private readonly repo: RunColumnsRepository) {}

  async list(ctx: RequestContext): Promise<RunColumnList> {
    const fields = await this.repo.fields(ctx);
    const common = await this.repo.commonMetrics(ctx, DEFAULT_METRICS);
    const params = await this.repo.recentParams(ctx);
    const paramType = new Map(params.map((p) => [p.name, p.type === 'number' ? 'number' : p.type === 'string' ? 'text' : 'json'] as const));

    const columns: RunColumn[] = ATTRIBUTE_COLUMNS.map(([name, type]) => ({ field: name, kind: 'attribute', name, type }));
    for (const f of fields) {
      if (f.kind === 'param')
        columns.push({ field: runField('param', f.name), kind: 'param', name: f.name, type: paramType.get(f.name) ?? 'json' });
      else if (f.kind === 'metric') columns.push({ field: runField('metric', f.name), kind: 'metric', name: f.name, type: 'number' });
      else if (f.kind === 'tag') columns.push({ field: tagField(f.name), kind: 'tag', name: f.name, type: 'tags' });
    }
    // Params that vary, most widely held first; a param every run sets the same way says nothing.
    const varying = params
      .filter((p) => p.values > 1)
      .sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name))
      .slice(0, DEFAULT_PARAMS);
    return {
      columns,
      metricStats: [...METRIC_SUMMARY_STATS],
      defaults: [...common.map((m) => runField('metric', m.name, 'last')), ...varying.map((p) => runField('param', p.name))],
    };
  }
}
