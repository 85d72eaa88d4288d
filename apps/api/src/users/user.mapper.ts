import type { User } from '@trackbase/contracts';
import type { UserEntity } from './user.entity';

export function toUserDto(user: UserEntity): User {
  return { id: user.id, email: user.email, name: user.name, kind: user.kind, createdAt: user.createdAt.toISOString() };
}
