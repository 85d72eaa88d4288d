import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { fence, parseNotebook } from './notebook';
import { Notebook } from './Notebook';

const nb = (cells: object[]) => JSON.stringify({ nbformat: 4, metadata: { language_info: { name: 'python' } }, cells });
const render = (source: string) => renderToStaticMarkup(createElement(Notebook, { notebook: parseNotebook(source)! }));
const code = (outputs: object[], source = 'x = 1') => ({ cell_type: 'code', source, execution_count: 3, outputs });

describe('notebooks', () => {
  it('renders Markdown cells, highlighted code and plain outputs', () => {
    const html = render(
      nb([
        { cell_type: 'markdown', source: ['# Training\n', 'loss is $\\ell$'] },
        code([{ output_type: 'stream', name: 'stdout', text: ['epoch 1\n'] }], 'import torch'),
      ]),
    );
    expect(html).toContain('<h1>Training</h1>');
    expect(html).toContain('class="katex"');
    expect(html).toContain('<span class="hljs-keyword">import</span>');
    expect(html).toContain('[3]:');
    expect(html).toContain('epoch 1');
  });

  it('sanitises HTML outputs and never runs JavaScript outputs', () => {
    const html = render(
      nb([
        code([
          {
            output_type: 'display_data',
            data: { 'text/html': '<table><tr><td onclick="steal()">1</td></tr></table><script>alert(1)</script>' },
          },
          { output_type: 'display_data', data: { 'application/javascript': 'alert(2)' } },
          {
            output_type: 'execute_result',
            data: { 'text/html': '<a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe>' },
          },
        ]),
      ]),
    );
    expect(html).toContain('<td>1</td>');
    expect(html).not.toMatch(/script|onclick|steal|alert|iframe/);
  });

  it('shows SVG output only as an image, so its scripts cannot run', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';
    const html = render(nb([code([{ output_type: 'display_data', data: { 'image/svg+xml': svg, 'text/plain': 'fig' } }])]));
    expect(html).not.toContain('<svg');
    expect(html).toMatch(/<img class="nb-image" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
  });

  it('shows PNG outputs and refuses image data that is not base64', () => {
    const html = render(
      nb([
        code([
          { output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo=\n' } },
          { output_type: 'display_data', data: { 'image/png': '"><script>alert(1)</script>', 'text/plain': 'fallback' } },
        ]),
      ]),
    );
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(html).toContain('fallback');
    expect(html).not.toContain('<script');
  });

  it('shows errors without terminal colour codes', () => {
    const html = render(
      nb([code([{ output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['\u001b[0;31mValueError\u001b[0m: bad'] }])]),
    );
    expect(html).toContain('ValueError: bad');
    expect(html).not.toContain('\u001b');
  });

  it('answers null for what is not a notebook, and fences code that holds backticks', () => {
    expect(parseNotebook('{"cells": 3}')).toBeNull();
    expect(parseNotebook('not json')).toBeNull();
    expect(fence('a = "```"', 'python')).toBe('````python\na = "```"\n````');
  });
});
