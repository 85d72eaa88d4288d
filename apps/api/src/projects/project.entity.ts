import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ProjectVisibility } from '@trackbase/contracts';
import { TenantEntity } from '../common/entities/tenant-base.entity';

@Entity({ name: 'projects' })
export class ProjectEntity extends TenantEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  declare organizationId: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text' })
  visibility!: ProjectVisibility;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
