import { z } from 'zod';

/** Lower-case letters, digits and single dashes; 2 to 48 characters; no path characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,47}$/;

export const slugSchema = z.string().regex(SLUG_PATTERN, 'must be 2-48 lower-case letters, digits or single dashes');

/** Derives a slug from a display name; callers still validate the result. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
}
