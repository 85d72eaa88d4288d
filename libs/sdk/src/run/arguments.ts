/**
 * Checks of what user code passes to a run, at the boundary: a mistake is a
 * TypeError at the call that made it, not a journal the server refuses later.
 */
export const FINAL_STATES = ['finished', 'failed', 'aborted'] as const;

function fail(call: string, message: string): never {
  throw new TypeError(`trackbase: ${call}: ${message}`);
}

function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function checkFinishArguments(state: unknown, options: unknown): void {
  if (typeof state !== 'string' || !(FINAL_STATES as readonly string[]).includes(state)) {
    const hint = state !== null && typeof state === 'object' ? '; options go second: finish("finished", { timeoutMs: 60_000 })' : '';
    fail('finish(state, options)', `state must be one of ${FINAL_STATES.join(', ')}, not ${shown(state)}${hint}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    fail('finish(state, options)', `options must be an object like { timeoutMs: 60_000 }, not ${shown(options)}`);
  const { timeoutMs, ...rest } = options as { timeoutMs?: unknown };
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)))
    fail('finish(state, options)', `timeoutMs must be a number of milliseconds >= 0, not ${shown(timeoutMs)}`);
  const unknown = Object.keys(rest);
  if (unknown.length) fail('finish(state, options)', `unknown option ${unknown.join(', ')} (the only option is timeoutMs)`);
}

export function checkStep(call: string, step: unknown): void {
  if (step !== undefined && !(Number.isSafeInteger(step) && (step as number) >= 0))
    fail(call, `step must be an integer >= 0, not ${shown(step)}`);
}

export function checkValues(call: string, values: unknown): void {
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    fail(call, `expected an object of name → number, like { loss: 0.3 }, not ${shown(values)}`);
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (!name) fail(call, 'a metric name is empty');
    if (typeof value !== 'number') fail(call, `${name} must be a number, not ${shown(value)}`);
  }
}

export function checkObject(call: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(call, `expected an object, not ${shown(value)}`);
}

export function checkStrings(call: string, values: unknown[]): void {
  for (const value of values) if (typeof value !== 'string' || !value) fail(call, `expected non-empty strings, not ${shown(value)}`);
}
