import { Column, CreateDateColumn, Index } from 'typeorm';

/**
 * Every tenant-owned row carries its organization. Row-level security policies
 * (see the migrations) key on this column, so a query that forgets its tenant
 * filter sees only the organization of the current request.
 */
export abstract class TenantEntity {
  @Index()
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
