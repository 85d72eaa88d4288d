import { z } from 'zod';

export const README_MAX_LENGTH = 200_000;

export const ReadmeErrorCode = {
  /** Someone saved a newer version since the one this edit started from. */
  Conflict: 'readme_conflict',
} as const;

/** What a README can be attached to. */
export const README_TARGETS = ['project', 'run', 'artifact'] as const;
export type ReadmeTarget = (typeof README_TARGETS)[number];

const authorSchema = z.object({ id: z.uuid().nullable(), name: z.string() });

/** The current README; version 0 (empty, no author) before anyone wrote one. */
export const readmeSchema = z.object({
  version: z.number().int(),
  body: z.string(),
  author: authorSchema.nullable(),
  createdAt: z.string().nullable(),
});
export type Readme = z.infer<typeof readmeSchema>;

export const putReadmeRequestSchema = z.strictObject({
  /** Markdown, stored as written; clients render it sanitised. May be empty (clears it, as a new version). */
  body: z
    .string()
    .max(README_MAX_LENGTH)
    .refine((body) => !body.includes('\u0000'), { message: 'a README cannot contain a NUL character' }),
  /**
   * The version this edit started from. When given and a newer version was
   * saved meanwhile, the save is refused (409 `readme_conflict`) rather than
   * silently overwriting it. Saving the current text again creates nothing.
   */
  baseVersion: z.number().int().min(0).optional(),
});
export type PutReadmeRequest = z.infer<typeof putReadmeRequestSchema>;

export const readmeVersionSummarySchema = z.object({
  version: z.number().int(),
  author: authorSchema,
  createdAt: z.string(),
  length: z.number().int(),
});
export type ReadmeVersionSummary = z.infer<typeof readmeVersionSummarySchema>;

export const readmeHistorySchema = z.object({ items: z.array(readmeVersionSummarySchema) });
export type ReadmeHistory = z.infer<typeof readmeHistorySchema>;

export const readmeDiffQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(1),
});

/** Line by line, from one version to another (version 0 is the empty README). */
export const readmeDiffSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  lines: z.array(z.object({ op: z.enum(['same', 'add', 'remove']), text: z.string() })),
  added: z.number().int(),
  removed: z.number().int(),
});
export type ReadmeDiff = z.infer<typeof readmeDiffSchema>;
