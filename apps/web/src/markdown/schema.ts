import { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';

/**
 * What user-written Markdown may produce, after raw HTML in it is parsed:
 * GitHub's allow-list (no script, style, iframe, object, svg or form; no
 * `on*` attributes; links only to http(s), mailto and in-app paths; images
 * only over http(s)), plus the `user:` links mentions are written as and the
 * `trackbase:` links live references become. Ids and names are prefixed so
 * a document cannot clobber the page's own.
 *
 * Math and code highlighting run after this step, on the sanitised tree,
 * so only their own output (KaTeX, highlight.js classes) is added to it.
 */
export const markdownSchema: SanitizeSchema = {
  ...defaultSchema,
  protocols: {
    ...defaultSchema.protocols,
    href: [...(defaultSchema.protocols?.href ?? []), 'user', 'trackbase'],
  },
};
