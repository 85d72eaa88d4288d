import type { ReportBlock } from '@trackbase/contracts';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ReportBlocks } from './ReportBlocks';

const never = () => new Promise<never>(() => undefined);
const render = (blocks: ReportBlock[]) => renderToStaticMarkup(createElement(ReportBlocks, { blocks, load: never }));

describe('report text blocks', () => {
  it('render Markdown with script, frames, event handlers and javascript: links removed', () => {
    const html = render([
      {
        id: 'intro',
        type: 'text',
        markdown: [
          '# Findings',
          '',
          '<script>window.__pwned = 1</script><iframe src="https://evil.example/"></iframe>',
          '<img src="https://example.com/a.png" onerror="window.__pwned = 2"> <b onclick="x()">bold</b>',
          '',
          '[a](javascript:alert(1)) <a href="javascript:alert(2)">b</a> <form action="https://evil.example/"><input name="p"></form>',
        ].join('\n'),
      },
    ]);
    expect(html).toContain('<h1>Findings</h1>');
    expect(html).toContain('<b>bold</b>');
    expect(html).toContain('src="https://example.com/a.png"');
    expect(html).not.toMatch(/<script|<iframe|<form/i);
    // What GitHub's allow-list keeps of an input is a disabled checkbox, its name prefixed so it cannot clobber the page.
    expect(html).not.toContain('name="p"');
    expect(html).not.toContain('__pwned');
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it('show each panel with its title while its data loads', () => {
    const html = render([
      { id: 'p1', type: 'line', title: 'Loss over steps', runSet: { project: 'vision', runs: ['VIS-1'] }, metrics: ['loss'] },
      { id: 'p2', type: 'runs', runSet: { project: 'vision', filter: '' }, metrics: ['loss'] },
    ]);
    expect(html).toContain('aria-label="Panel Loss over steps"');
    expect(html).toContain('aria-label="Panel Runs"');
    expect(html).toContain('Loading panel');
  });
});
