import type { ParamValue } from '@trackbase/contracts';

/**
 * Nested parameters stored flat by dotted path, so each can be filtered and
 * shown as a column: {optimizer: {lr: 0.1}} → {"optimizer.lr": 0.1}. Lists are
 * values of their own (a list of layer sizes is one parameter).
 */
export function flattenParams(
  input: Record<string, ParamValue>,
  prefix = '',
  out: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  for (const [key, value] of Object.entries(input)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (Object.keys(value).length === 0) out[path] = {};
      else flattenParams(value, path, out);
    } else {
      out[path] = value;
    }
  }
  return out;
}
