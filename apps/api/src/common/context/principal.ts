import type { UserKind } from '../../users/user.entity';

/** Who is calling: a person or service account, and how they proved it. */
export interface Principal {
  userId: string;
  kind: UserKind;
  via: 'session' | 'api_key';
  sessionId?: string;
  apiKeyId?: string;
}
