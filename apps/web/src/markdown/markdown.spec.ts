import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';
import { findReferences, parseReferenceHref, referenceHref, viewUrlReference } from './references';

const render = (text: string, people?: Map<string, string>) => renderToStaticMarkup(createElement(Markdown, { text, people }));

/** Every attribute name and URL of the rendered HTML, for assertions that no dangerous one survived. */
function attributes(html: string): string[] {
  return [...html.matchAll(/\s([a-zA-Z:-]+)=("[^"]*"|'[^']*')/g)].map((m) => `${m[1]}=${m[2]}`);
}

describe('Markdown sanitisation', () => {
  it('drops script elements and their content', () => {
    const html = render('hello <script>alert(1)</script>\n\n<script src="https://evil.example/x.js"></script>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('hello');
  });

  it('drops event handler attributes', () => {
    const html = render('<img src="https://example.com/a.png" onerror="alert(1)">\n\n<p onclick="alert(2)" onmouseover="x()">hi</p>');
    expect(attributes(html).filter((a) => /^on/i.test(a))).toEqual([]);
    expect(html).toContain('src="https://example.com/a.png"');
    expect(html).toContain('hi');
  });

  it('refuses javascript:, vbscript: and data: links, in Markdown and in HTML', () => {
    const html = render(
      [
        '[a](javascript:alert(1))',
        '[b](JaVaScRiPt:alert(1))',
        '[c](vbscript:msgbox(1))',
        '[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
        '<a href="javascript:alert(1)">e</a>',
        '<a href="&#106;avascript:alert(1)">f</a>',
        '[ok](https://example.com/page)',
      ].join('\n\n'),
    );
    expect(html).not.toMatch(/javascript:|vbscript:|data:/i);
    expect(html).toContain('href="https://example.com/page"');
  });

  it('refuses SVG with script, iframes, objects, forms and style', () => {
    const html = render(
      [
        '<svg onload="alert(1)"><script>alert(2)</script><circle r="3"/></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<form action="https://evil.example"><input name="password"></form>',
        '<style>body{display:none}</style>',
        '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
        '<div style="position:fixed;inset:0">overlay</div>',
      ].join('\n\n'),
    );
    for (const tag of ['svg', 'script', 'iframe', 'object', 'embed', 'form', 'style']) expect(html).not.toContain(`<${tag}`);
    expect(html).not.toMatch(/data:|alert|style=/);
    // The only input left is GitHub's disabled task-list checkbox.
    expect([...html.matchAll(/<input[^>]*>/g)].map((m) => m[0])).toEqual([
      '<input disabled="" type="checkbox" name="user-content-password"/>',
    ]);
  });

  it('never lets a document name an element as the page does (DOM clobbering)', () => {
    const html = render('<a id="login" name="csrf">x</a>\n\n<input name="config">');
    expect(html).not.toMatch(/(id|name)="(login|csrf|config)"/);
    expect(html).toContain('name="user-content-config"');
  });
});

describe('Markdown rendering', () => {
  it('renders GitHub-flavoured Markdown: emphasis, tables, task lists, strikethrough', () => {
    const html = render('**bold** ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<del>gone</del>');
    expect(html).toContain('<td>1</td>');
    expect(html).toContain('type="checkbox"');
  });

  it('highlights code and typesets math with KaTeX', () => {
    const html = render('```python\nimport torch\n```\n\nInline $e^{i\\pi}+1=0$ and\n\n$$\n\\sum_{i=1}^n x_i\n$$');
    expect(html).toContain('class="hljs language-python"');
    expect(html).toContain('<span class="hljs-keyword">import</span>');
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
  });

  it('keeps KaTeX from producing links of its own', () => {
    const html = render('$\\href{javascript:alert(1)}{x}$ $\\url{javascript:alert(2)}$');
    expect(html).toContain('class="katex"');
    expect(html).not.toMatch(/<a |href=/);
  });

  it('shows mentions as names, never as raw tokens', () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const html = render(`thanks @[Ada](user:${id})`);
    expect(html).toContain('thanks <strong class="mention">@Ada</strong>');
    expect(html).not.toContain('user:');
    expect(render(`thanks @[old name](user:${id})`, new Map([[id, 'Ada Lovelace']]))).toContain(
      '<strong class="mention">@Ada Lovelace</strong>',
    );
  });

  it('opens external links in a new tab without a referrer or opener', () => {
    expect(render('[x](https://example.com)')).toContain('rel="noopener noreferrer nofollow"');
  });

  it('shows references as plain text outside a project', () => {
    const html = render('see VIS-42 and `VIS-43` and model:resnet@production');
    expect(html).toContain('see VIS-42 and <code>VIS-43</code> and model:resnet@production');
    expect(html).not.toContain('<a');
  });

  it('shows saved-view references as plain text outside a project', () => {
    const html = render('compare with view:baseline and view:"Best runs".');
    expect(html).toContain('compare with view:baseline and view:&quot;Best runs&quot;.');
    expect(html).not.toContain('<a');
  });
});

describe('saved-view references', () => {
  it('finds view:name and view:"a name" in text, without trailing punctuation', () => {
    const found = findReferences('see view:baseline, view:v1.2 and view:"Best runs". Not myview:x or view: alone');
    expect(found.map((m) => [m.text, m.reference])).toEqual([
      ['view:baseline', { kind: 'view', name: 'baseline' }],
      ['view:v1.2', { kind: 'view', name: 'v1.2' }],
      ['view:"Best runs"', { kind: 'view', name: 'Best runs' }],
    ]);
    for (const m of found) expect(parseReferenceHref(referenceHref(m.reference))).toEqual(m.reference);
  });

  it("recognises a saved view's URL of this app only", () => {
    const id = '0b7c2f1e-8d3a-4c55-9f0e-2a1b3c4d5e6f';
    expect(viewUrlReference(`https://tb.example.com/acme/vision?view=${id}`, 'https://tb.example.com')).toEqual({
      kind: 'view-url',
      org: 'acme',
      project: 'vision',
      id,
      text: `https://tb.example.com/acme/vision?view=${id}`,
    });
    expect(viewUrlReference(`/acme/vision?filter=x&view=${id}`, 'https://tb.example.com')).toMatchObject({ org: 'acme', id });
    expect(viewUrlReference(`https://evil.example/acme/vision?view=${id}`, 'https://tb.example.com')).toBeNull();
    expect(viewUrlReference(`//evil.example/acme/vision?view=${id}`, 'https://tb.example.com')).toBeNull();
    expect(viewUrlReference('/acme/vision?view=not-a-uuid', 'https://tb.example.com')).toBeNull();
    expect(viewUrlReference(`/acme/vision/runs/VIS-1?view=${id}`, 'https://tb.example.com')).toBeNull();
  });
});
