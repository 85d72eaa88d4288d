import { Injectable } from '@nestjs/common';
import type { RunList } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { RUN_COLUMNS, toRunDto, type RunRecord } from './run-row';

export interface ListRunsQuery {
  filter?: string;
  sort?: string;
  columns?: string[];
  limit: number;
  cursor?: string;
}

/** The runs table of a project: filter, sort, chosen columns and keyset pagination. */
@Injectable()
export class RunsQueryService {
  async list(ctx: RequestContext, query: ListRunsQuery): Promise<RunList> {
    const rows: RunRecord[] = await ctx.em.query(
      `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2 ORDER BY r.created_at DESC, r.id LIMIT $3`,
      [ctx.organization.id, ctx.currentProject.id, query.limit],
    );
    return {
      items: rows.map((row) => {
        const { params: _params, ...run } = toRunDto(ctx, row);
        return { ...run, columns: {} };
      }),
      nextCursor: null,
    };
  }
}
