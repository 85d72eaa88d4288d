import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProjectRole } from '@trackbase/contracts';
import { TenantEntity } from '../common/entities/tenant-base.entity';

@Entity({ name: 'project_members' })
export class ProjectMemberEntity extends TenantEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  declare organizationId: string;

  @PrimaryColumn({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  role!: ProjectRole;
}
