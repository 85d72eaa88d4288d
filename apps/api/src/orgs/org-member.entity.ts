import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrgRole } from '@trackbase/contracts';
import { TenantEntity } from '../common/entities/tenant-base.entity';

@Entity({ name: 'org_members' })
export class OrgMemberEntity extends TenantEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  declare organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  role!: OrgRole;
}
