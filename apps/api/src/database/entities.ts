import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { SessionEntity } from '../auth/session.entity';
import { InvitationEntity } from '../invitations/invitation.entity';
import { OrgMemberEntity } from '../orgs/org-member.entity';
import { OrganizationEntity } from '../orgs/organization.entity';
import { ProjectMemberEntity } from '../projects/project-member.entity';
import { ProjectEntity } from '../projects/project.entity';
import { ApiKeyEntity } from '../users/api-key.entity';
import { UserEntity } from '../users/user.entity';

export const ENTITIES = [
  UserEntity,
  ApiKeyEntity,
  SessionEntity,
  RefreshTokenEntity,
  OrganizationEntity,
  OrgMemberEntity,
  InvitationEntity,
  ProjectEntity,
  ProjectMemberEntity,
  AuditEntryEntity,
];
