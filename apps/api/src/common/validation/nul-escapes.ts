const ESCAPE = Buffer.from('u0000');
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text holds a `\u0000` escape, i.e. a NUL character in some
 * string once parsed. PostgreSQL stores NUL neither in text nor in jsonb, so
 * such a body is refused up front rather than failing in a query. A raw NUL
 * byte is not valid JSON in the first place; `\\u0000` (an escaped backslash
 * followed by "u0000") is ordinary text. One memchr-speed scan, even of a
 * 16 MB run batch.
 */
export function hasNulEscape(json: Buffer): boolean {
  for (let at = json.indexOf(ESCAPE); at !== -1; at = json.indexOf(ESCAPE, at + 1)) {
    let backslashes = 0;
    while (at - backslashes - 1 >= 0 && json[at - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 1) return true;
  }
  return false;
}
