import { AppError } from '../../common/errors/app-error';
import { RunErrorCode } from '@trackbase/contracts';
import { z } from 'zod';

/**
 * The cursor of a series query: per series (by id), the last step the client
 * was sent. Opaque to clients (base64url JSON). Ids it names are looked up only
 * among the series the query itself finds, so a forged cursor reveals nothing.
 */
const cursorSchema = z.strictObject({
  v: z.literal(1),
  k: z.enum(['metric', 'system']),
  // A fork's series without points of its own is named by its ancestor's series and the fork: `<id>@<run id>`.
  s: z.record(z.string().regex(/^\d{1,19}(@[0-9a-f-]{36})?$/), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
});

export type SeriesCursor = Map<string, number>;

export function encodeCursor(kind: 'metric' | 'system', steps: SeriesCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, k: kind, s: Object.fromEntries(steps) })).toString('base64url');
}

export function decodeCursor(text: string, kind: 'metric' | 'system'): SeriesCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('cursor is not one this server issued');
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw invalidCursor('cursor is not one this server issued');
  if (result.data.k !== kind) throw invalidCursor(`cursor was issued for kind ${result.data.k}, not ${kind}`);
  return new Map(Object.entries(result.data.s));
}

const invalidCursor = (message: string) => new AppError(400, RunErrorCode.InvalidCursor, message, [{ path: 'cursor', message }]);
