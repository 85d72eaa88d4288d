/** A fenced code block of a Markdown file, as the README snippet test runs it. */
export interface Snippet {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** Why it is not run, from a `<!-- snippet: skip (why) -->` line just before the block. */
  skip?: string;
}

/** Languages the test runs, by their fence names; `text` and unnamed blocks are output, not snippets. */
export const RUNNERS = { ts: 'ts', typescript: 'ts', sh: 'sh', bash: 'sh', shell: 'sh' } as const;
export const NOT_CODE = new Set(['', 'text', 'console', 'output']);

const SKIP = /^<!--\s*snippet:\s*skip\s*(?:\((.*)\))?\s*-->$/;

export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith(fence)) body.push(lines[j++]!);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? SKIP.exec(lines[k]!.trim()) : null;
    snippets.push({
      line: i + 1,
      lang: open[2]!.toLowerCase(),
      code: body.join('\n'),
      ...(marker ? { skip: marker[1] ?? 'marked skip' } : {}),
    });
    i = j;
  }
  return snippets;
}
