import { FilterError } from './ast';

export type Token =
  | { type: 'ident'; value: string; quoted: boolean; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'op'; value: string; pos: number }
  | { type: 'punct'; value: '(' | ')' | ',' | '.'; pos: number }
  | { type: 'end'; pos: number };

export const MAX_FILTER_LENGTH = 4_000;

/**
 * Splits filter text into tokens. Identifiers are letters, digits, `_`, `-`
 * and `/`, or anything between backticks (so `train/loss` and `my key` can be
 * named); strings use single or double quotes with backslash escapes.
 */
export function tokenize(text: string): Token[] {
  if (text.length > MAX_FILTER_LENGTH) throw new FilterError(`filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (startsNumber(text, i, tokens)) {
      const number = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ type: 'number', value: Number(number[0]), pos });
      i += number[0].length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      tokens.push({ type: 'punct', value: c, pos });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterError('unterminated string', pos);
        const d = text[i]!;
        if (d === '\\') {
          const next = text[i + 1];
          if (next === undefined) throw new FilterError('unterminated string', pos);
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ type: 'string', value, pos });
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new FilterError('unterminated `quoted name`', pos);
      const value = text.slice(i + 1, end);
      if (!value) throw new FilterError('empty `quoted name`', pos);
      tokens.push({ type: 'ident', value, quoted: true, pos });
      i = end + 1;
      continue;
    }
    const op = /^(<=|>=|!=|<>|==|=|<|>)/.exec(text.slice(i));
    if (op) {
      tokens.push({ type: 'op', value: op[0] === '<>' ? '!=' : op[0] === '==' ? '=' : op[0], pos });
      i += op[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_\-/]*/.exec(text.slice(i));
    if (ident) {
      tokens.push({ type: 'ident', value: ident[0], quoted: false, pos });
      i += ident[0].length;
      continue;
    }
    throw new FilterError(`unexpected character ${JSON.stringify(c)}`, pos);
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}

/** A number starts with a digit, or with `-`/`.` where a value is expected (not inside a name like `a-1`). */
function startsNumber(text: string, i: number, tokens: Token[]): boolean {
  const c = text[i]!;
  const next = text[i + 1] ?? '';
  if (/\d/.test(c)) return true;
  const last = tokens.at(-1);
  const expectsValue = !last || last.type === 'op' || (last.type === 'punct' && (last.value === '(' || last.value === ','));
  if (c === '-') return expectsValue && /[\d.]/.test(next);
  if (c === '.') return expectsValue && /\d/.test(next);
  return false;
}
