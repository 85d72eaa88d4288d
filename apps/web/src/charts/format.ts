/** Axis and value formatting for charts: enough significant digits to tell ticks apart, units for bytes and durations. */

export type AxisUnit = 'number' | 'bytes' | 'seconds' | 'percent';

/**
 * Labels for a set of ticks: the fewest significant digits (at least 3) that
 * keep neighbouring ticks distinct, so 0.001, 0.0012, 0.0014 never all read
 * "0.001". Small and large magnitudes switch to exponent notation.
 */
export function formatTicks(ticks: number[], unit: AxisUnit = 'number'): string[] {
  if (unit === 'bytes') return ticks.map(formatBytesValue);
  if (unit === 'seconds') return ticks.map(formatSeconds);
  if (unit === 'percent') return formatTicks(ticks).map((t) => `${t}%`);
  const finite = ticks.filter(Number.isFinite);
  const step =
    finite.length > 1
      ? Math.min(
          ...finite
            .slice(1)
            .map((t, i) => Math.abs(t - finite[i]!))
            .filter((d) => d > 0),
        )
      : 0;
  const largest = Math.max(...finite.map(Math.abs), 0);
  for (let digits = 3; digits <= 15; digits++) {
    const labels = ticks.map((t) => formatNumber(t, digits, step, largest));
    if (new Set(labels).size === new Set(ticks).size) return labels;
  }
  return ticks.map((t) => String(t));
}

function formatNumber(value: number, digits: number, step: number, largest: number): string {
  if (!Number.isFinite(value)) return String(value);
  // Ticks round to multiples of the step: a value within floating noise of zero is zero.
  if (value === 0 || (step > 0 && Math.abs(value) < step * 1e-9)) return '0';
  if (largest >= 1e6 || largest < 1e-3) return trimExponent(value.toExponential(Math.max(0, digits - 1)));
  return String(Number(value.toPrecision(digits)));
}

function trimExponent(text: string): string {
  // 1.500e-4 → 1.5e-4
  return text.replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/** One value with five significant digits (legends, tooltips). */
export function formatValueShort(value: number | null | undefined, unit: AxisUnit = 'number'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'bytes') return formatBytesValue(value);
  if (unit === 'seconds') return formatSeconds(value);
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return trimExponent(value.toExponential(4));
  return String(Number(value.toPrecision(5)));
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytesValue(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${Number(value.toPrecision(3))} ${BYTE_UNITS[unit]}`;
}

/** 0.25 → 250 ms, 90 → 1m 30s, 7200 → 2h. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 1) return `${sign}${Number((s * 1000).toPrecision(3))} ms`;
  if (s < 60) return `${sign}${Number(s.toPrecision(3))} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${s % 60 >= 1 ? ` ${Math.round(s % 60)}s` : ''}`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.round((s % 3600) / 60)}m` : ''}`;
  return `${sign}${Number((s / 86_400).toPrecision(3))} d`;
}

/** The unit a series' name suggests: system memory and disk in bytes, times and durations in seconds. */
export function unitOf(name: string): AxisUnit {
  const n = name.toLowerCase();
  if (/(^|[/_.])(bytes?|mem(ory)?_(used|bytes|total|available)|rss|vram|disk_(read|write)|net_(sent|recv)|.*_bytes)$/.test(n))
    return 'bytes';
  if (/_bytes($|[/_.])|\bbytes\b/.test(n)) return 'bytes';
  if (/(_|\/|^)(seconds|secs|duration|elapsed|time_s|latency_s|epoch_time|step_time)$/.test(n) || /_seconds$/.test(n)) return 'seconds';
  if (/(percent|_pct|utilization|util)$/.test(n)) return 'percent';
  return 'number';
}

/** Natural order: `layer_2` before `layer_10`. */
export const naturalCompare = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
