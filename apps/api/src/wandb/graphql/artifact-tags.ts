import { wandbBadRequest } from '../wandb.errors';

/** W&B's tag input: only the name is kept (the client sends no category or attributes for artifact versions). */
export interface TagInput {
  tagName: string;
  tagCategoryName?: string | null;
  attributes?: string | null;
}

/** W&B's rule for a tag: words of letters, digits, `-` and `_`, separated by single or repeated spaces. */
const TAG = /^[-\p{L}\p{N}_]+( +[-\p{L}\p{N}_]+)*$/u;
export const TAG_LIMITS = { length: 128, perRequest: 20 } as const;

/** The distinct tag names of a request, in order; an invalid one refuses the whole request ("Invalid tag", as W&B). */
export function tagNames(tags: TagInput[] | null | undefined): string[] {
  const names = [...new Set((tags ?? []).map((t) => t.tagName))];
  if (names.length > TAG_LIMITS.perRequest) throw wandbBadRequest(`Invalid tags: at most ${TAG_LIMITS.perRequest} per request`);
  for (const name of names) {
    if (name.length > TAG_LIMITS.length || !TAG.test(name))
      throw wandbBadRequest(
        `Invalid tag ${JSON.stringify(name)}: tags are letters, digits, hyphens and underscores, words separated by spaces (at most ${TAG_LIMITS.length} characters)`,
      );
  }
  return names;
}
