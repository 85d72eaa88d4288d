import type { Root, Element } from 'hast';

/**
 * Markdown of a report's text blocks as sanitised HTML, for the static export:
 * the web app's pipeline (GitHub-flavoured Markdown, raw HTML parsed then
 * passed through rehype-sanitize's GitHub allow-list, KaTeX math) run on the
 * server. KaTeX writes MathML only, which browsers draw without its CSS or
 * fonts. Images are kept only as `data:` URIs (none come back to any server);
 * others become their alt text. Ids are prefixed `user-content-` as on GitHub.
 */
type Processor = { process(text: string): Promise<{ toString(): string }> };
let processor: Promise<Processor> | null = null;

async function build(): Promise<Processor> {
  // ESM-only packages, loaded once from this CommonJS module.
  const [{ unified }, { default: remarkParse }, { default: remarkGfm }, { default: remarkMath }, { default: remarkRehype }] =
    await Promise.all([import('unified'), import('remark-parse'), import('remark-gfm'), import('remark-math'), import('remark-rehype')]);
  const [{ default: rehypeRaw }, { default: rehypeSanitize, defaultSchema }, { default: rehypeKatex }, { default: rehypeStringify }] =
    await Promise.all([import('rehype-raw'), import('rehype-sanitize'), import('rehype-katex'), import('rehype-stringify')]);
  const schema = {
    ...defaultSchema,
    protocols: { ...defaultSchema.protocols, src: ['data'] },
  };
  return unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(remarkMath)
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeRaw)
    .use(rehypeSanitize, schema)
    .use(() => (tree: Root) => offlineImages(tree))
    .use(rehypeKatex, { output: 'mathml', strict: 'ignore' })
    .use(() => (tree: Root) => dropNamespaces(tree))
    .use(rehypeStringify) as unknown as Processor;
}

/** Images without a `data:` source would load from elsewhere: they become their alt text. */
function offlineImages(node: Root | Element): void {
  node.children.forEach((child, i) => {
    if (child.type !== 'element') return;
    if (child.tagName === 'img') {
      const src = child.properties?.src;
      if (typeof src !== 'string' || !/^data:image\/(png|jpeg|gif|webp);base64,/i.test(src)) {
        const alt = child.properties?.alt;
        node.children[i] = { type: 'text', value: typeof alt === 'string' ? alt : '' };
      }
      return;
    }
    offlineImages(child);
  });
}

/** MathML in HTML needs no `xmlns` (the file names no URL at all). */
function dropNamespaces(node: Root | Element): void {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (child.properties && 'xmlns' in child.properties) delete child.properties.xmlns;
    dropNamespaces(child);
  }
}

export async function renderMarkdown(text: string): Promise<string> {
  processor ??= build();
  return String(await (await processor).process(text));
}
