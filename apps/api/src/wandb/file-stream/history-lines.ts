/**
 * Turns file_stream lines into Trackbase series. History and events lines are
 * JSON objects; W&B writes NaN and infinities as bare tokens, which JSON.parse
 * refuses, so they are quoted before parsing and restored after.
 */
const BARE_FLOATS = /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;
const FLOAT_TOKENS: Record<string, number> = { __wandb_NaN__: NaN, __wandb_Infinity__: Infinity, '__wandb_-Infinity__': -Infinity };

export function parseLine(line: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    try {
      parsed = JSON.parse(line.replace(BARE_FLOATS, (_m, lead: string, token: string) => `${lead}"__wandb_${token}__"`));
    } catch {
      return null;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

/**
 * The numeric values of a row by flattened name (`{"a": {"b": 1}}` → `a.b`).
 * Keys starting with `_` are W&B's own (`_step`, `_runtime`, `_timestamp`);
 * objects with a `_type` are media, histograms or tables (media-values.ts).
 * Booleans count as 0 and 1; strings and lists are not series.
 */
export function numericValues(row: Record<string, unknown>, prefix = '', out = new Map<string, number>()): Map<string, number> {
  for (const [key, value] of Object.entries(row)) {
    if (!prefix && key.startsWith('_')) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number') out.set(name, value);
    else if (typeof value === 'boolean') out.set(name, value ? 1 : 0);
    else if (typeof value === 'string' && value in FLOAT_TOKENS) out.set(name, FLOAT_TOKENS[value]!);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('_type' in value)) {
      numericValues(value as Record<string, unknown>, name, out);
    }
  }
  return out;
}

/** `_timestamp` (seconds since the epoch, fractional) as epoch milliseconds. */
export function timeOf(row: Record<string, unknown>, fallback: number): number {
  const ts = row._timestamp;
  return typeof ts === 'number' && Number.isFinite(ts) ? Math.round(ts * 1000) : fallback;
}

export interface ConsoleLine {
  stream: 'stdout' | 'stderr';
  time: number;
  text: string;
}

const CONSOLE_PREFIX = /^(ERROR )?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:Z)? ?/;

/** `output.log` lines: `[ERROR ]<ISO time> text`, ERROR marking stderr. Lines without a time keep the request's. */
export function parseConsoleLine(line: string, fallback: number): ConsoleLine {
  const match = CONSOLE_PREFIX.exec(line);
  if (!match) return { stream: line.startsWith('ERROR ') ? 'stderr' : 'stdout', time: fallback, text: line.replace(/^ERROR /, '') };
  const parsed = Date.parse(`${match[2]!.slice(0, 23)}Z`);
  return { stream: match[1] ? 'stderr' : 'stdout', time: Number.isFinite(parsed) ? parsed : fallback, text: line.slice(match[0].length) };
}
