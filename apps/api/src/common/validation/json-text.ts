/**
 * Checks on a JSON request body's raw text, made before it is parsed, for what PostgreSQL or our
 * recursive code cannot take: NUL characters (`\u0000`, stored neither in text nor in jsonb), lone
 * UTF-16 surrogates (`\ud800` without its pair: invalid in jsonb and in UTF-8), and nesting deeper
 * than MAX_JSON_DEPTH. Each scan jumps between the few interesting bytes with indexOf (memchr speed),
 * so a 16 MB run batch made mostly of numbers costs a few milliseconds.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonTextProblem = 'nul' | 'lone_surrogate' | 'too_deep';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const UNICODE_ESCAPE = Buffer.from('\\u');

export function jsonTextProblem(json: Buffer, maxDepth = MAX_JSON_DEPTH): JsonTextProblem | undefined {
  return escapeProblem(json) ?? (tooDeep(json, maxDepth) ? 'too_deep' : undefined);
}

/** True when the backslash at `at` is itself escaped (preceded by an odd number of backslashes). */
function escaped(json: Buffer, at: number): boolean {
  let backslashes = 0;
  while (at - backslashes - 1 >= 0 && json[at - backslashes - 1] === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

function hexAt(json: Buffer, at: number): number {
  const text = json.toString('latin1', at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(text) ? Number.parseInt(text, 16) : -1;
}

function escapeProblem(json: Buffer): JsonTextProblem | undefined {
  let pendingHigh = -1; // offset just past a high surrogate escape that still needs its low half
  for (let at = json.indexOf(UNICODE_ESCAPE); at !== -1; at = json.indexOf(UNICODE_ESCAPE, at + 2)) {
    if (escaped(json, at)) continue; // `\\u...` is a backslash followed by text
    const code = hexAt(json, at + 2);
    const isLow = code >= 0xdc00 && code <= 0xdfff;
    if (pendingHigh !== -1) {
      if (!(isLow && at === pendingHigh)) return 'lone_surrogate';
      pendingHigh = -1;
      continue;
    }
    if (code === 0) return 'nul';
    if (code >= 0xd800 && code <= 0xdbff) pendingHigh = at + 6;
    else if (isLow) return 'lone_surrogate';
  }
  return pendingHigh === -1 ? undefined : 'lone_surrogate';
}

/** Whether arrays and objects nest deeper than `maxDepth`, brackets inside strings not counted. */
function tooDeep(json: Buffer, maxDepth: number): boolean {
  const next = {
    '[': json.indexOf(0x5b),
    '{': json.indexOf(0x7b),
    ']': json.indexOf(0x5d),
    '}': json.indexOf(0x7d),
    '"': json.indexOf(QUOTE),
  };
  const bytes = { '[': 0x5b, '{': 0x7b, ']': 0x5d, '}': 0x7d, '"': QUOTE } as const;
  let depth = 0;
  for (;;) {
    let kind: keyof typeof next | undefined;
    for (const candidate of Object.keys(next) as Array<keyof typeof next>) {
      const at = next[candidate];
      if (at !== -1 && (kind === undefined || at < next[kind])) kind = candidate;
    }
    if (kind === undefined) return false;
    const at = next[kind];
    if (kind === '"') {
      // Skip to the closing quote of this string; brackets inside it are text.
      let end = json.indexOf(QUOTE, at + 1);
      while (end !== -1 && escaped(json, end)) end = json.indexOf(QUOTE, end + 1);
      if (end === -1) return false; // unterminated: the parser refuses it
      for (const other of Object.keys(next) as Array<keyof typeof next>) {
        if (next[other] !== -1 && next[other] <= end) next[other] = json.indexOf(bytes[other], end + 1);
      }
      continue;
    }
    if (kind === '[' || kind === '{') {
      depth += 1;
      if (depth > maxDepth) return true;
    } else {
      depth -= 1;
    }
    next[kind] = json.indexOf(bytes[kind], at + 1);
  }
}
