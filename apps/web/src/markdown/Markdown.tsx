import 'highlight.js/styles/github.css';
import 'katex/dist/katex.min.css';
import { createContext, useContext, type ComponentProps } from 'react';
import ReactMarkdown, { defaultUrlTransform, type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeKatex from 'rehype-katex';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { ReferenceLink } from './ReferenceLink';
import { parseReferenceHref, referenceText } from './references';
import { remarkMentions } from './remark-mentions';
import { remarkReferences } from './remark-references';
import { markdownSchema } from './schema';

/** Where the text lives: live references resolve in this project, with the viewer's own permissions. */
export interface MarkdownScope {
  org: string;
  project: string;
}

/** Names to show for mentioned user ids (the project's members); the name written in the mention otherwise. */
export type People = ReadonlyMap<string, string>;

const ScopeContext = createContext<{ scope?: MarkdownScope; people?: People }>({});

const KATEX = { trust: false, strict: 'ignore' as const, maxSize: 20, maxExpand: 200 };

/** The order matters: raw HTML is parsed, the whole tree sanitised, and only then math and highlighting added. */
export const remarkPlugins = [remarkGfm, remarkMath, remarkMentions, remarkReferences];
export const rehypePlugins: ComponentProps<typeof ReactMarkdown>['rehypePlugins'] = [
  rehypeRaw,
  [rehypeSanitize, markdownSchema],
  [rehypeKatex, KATEX],
  [rehypeHighlight, { detect: false }],
];

/** Mentions and references keep their own schemes; everything else goes through react-markdown's safe-URL check. */
export function urlTransform(url: string): string {
  if (/^user:[0-9a-f-]{36}$/i.test(url) || url.startsWith('trackbase:')) return url;
  return defaultUrlTransform(url);
}

function Anchor({ href, children, node: _node, ...rest }: ComponentProps<'a'> & { node?: unknown }) {
  const { scope, people } = useContext(ScopeContext);
  if (href?.startsWith('user:')) {
    const name = people?.get(href.slice(5).toLowerCase());
    return <strong className="mention">@{name ?? children}</strong>;
  }
  if (href?.startsWith('trackbase:')) {
    const reference = parseReferenceHref(href);
    if (!reference) return <>{children}</>;
    if (!scope) return <>{referenceText(reference)}</>;
    return <ReferenceLink scope={scope} reference={reference} />;
  }
  if (!href) return <>{children}</>;
  const external = /^[a-z][a-z0-9+.-]*:/i.test(href);
  return (
    <a {...rest} href={href} {...(external ? { target: '_blank', rel: 'noopener noreferrer nofollow' } : {})}>
      {children}
    </a>
  );
}

function Image({ node: _node, alt, ...rest }: ComponentProps<'img'> & { node?: unknown }) {
  return <img {...rest} alt={alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />;
}

const components: Components = { a: Anchor, img: Image };

/**
 * The one renderer for user-written Markdown (notes, descriptions, comments,
 * READMEs, `.md` files, notebook cells): GitHub-flavoured Markdown with raw
 * HTML allowed and sanitised, KaTeX math, highlighted code, mentions shown
 * as names and live references to runs and artifact versions.
 */
export function Markdown({
  text,
  scope,
  people,
  className = 'markdown',
}: {
  text: string;
  scope?: MarkdownScope;
  people?: People;
  className?: string;
}) {
  return (
    <ScopeContext.Provider value={{ scope, people }}>
      <div className={className}>
        <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components} urlTransform={urlTransform}>
          {text}
        </ReactMarkdown>
      </div>
    </ScopeContext.Provider>
  );
}
