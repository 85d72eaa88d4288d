import { describe, expect, it } from 'vitest';
import { extractSnippets } from './readme-snippets';

describe('extractSnippets', () => {
  it('finds fenced blocks with their language, line and skip marker', () => {
    const markdown = [
      '# Title',
      '```ts',
      "const a = '```';",
      '```',
      '<!-- snippet: skip (needs a GPU) -->',
      '',
      '```sh',
      'nvidia-smi',
      '```',
      '````python',
      'print(1)',
      '```',
      '````',
      '```',
      'plain',
      '```',
    ].join('\n');
    expect(extractSnippets(markdown)).toEqual([
      { line: 2, lang: 'ts', code: "const a = '```';" },
      { line: 7, lang: 'sh', code: 'nvidia-smi', skip: 'needs a GPU' },
      { line: 10, lang: 'python', code: 'print(1)\n```' },
      { line: 14, lang: '', code: 'plain' },
    ]);
  });
});
