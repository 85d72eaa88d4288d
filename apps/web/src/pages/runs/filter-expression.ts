/** A string literal of the filter language: double quotes, backslash escapes. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The expression the runs table sends: the typed filter, AND the chosen states
 * (any of them), AND the chosen tags (any of them). The typed part keeps its
 * own precedence inside parentheses.
 */
export function composeFilter(text: string, states: readonly string[], tags: readonly string[]): string {
  const parts: string[] = [];
  const typed = text.trim();
  if (typed) parts.push(states.length || tags.length ? `(${typed})` : typed);
  if (states.length === 1) parts.push(`state = ${quote(states[0]!)}`);
  else if (states.length > 1) parts.push(`state IN (${states.map(quote).join(', ')})`);
  const tagTests = tags.map((t) => `tags CONTAINS ${quote(t)}`);
  if (tagTests.length === 1) parts.push(tagTests[0]!);
  else if (tagTests.length > 1) parts.push(`(${tagTests.join(' OR ')})`);
  return parts.join(' AND ');
}
