import { Injectable } from '@nestjs/common';
import type { OrgRole } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';

export interface ServiceAccountRow {
  id: string;
  name: string;
  role: OrgRole;
  created_at: Date;
  created_by: string | null;
}

/** The hand-written SQL of service accounts (users of kind `service` with their organization role). */
@Injectable()
export class ServiceAccountsRepository {
  list(ctx: RequestContext): Promise<ServiceAccountRow[]> {
    return ctx.em.query(
      `SELECT u.id, u.name, m.role, u.created_at, u.created_by
         FROM users u JOIN org_members m ON m.user_id = u.id AND m.organization_id = u.organization_id
        WHERE u.organization_id = $1 AND u.kind = 'service'
        ORDER BY u.name`,
      [ctx.organization.id],
    );
  }
}
