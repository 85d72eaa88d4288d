import type { ReactNode } from 'react';
import type { TrackbaseApiError } from '@trackbase/sdk/client';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: TrackbaseApiError | Error | undefined | null }) {
  if (!error) return null;
  const code = 'code' in error ? (error as TrackbaseApiError).code : undefined;
  const details = 'details' in error ? (error as TrackbaseApiError).details : undefined;
  // The server's own words; status, code and fields are shown beside them.
  const message = 'serverMessage' in error ? (error as TrackbaseApiError).serverMessage : error.message;
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {code && <span className="muted"> ({code})</span>}
      {details && details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  // Five significant digits without trailing zeros: 0.98, 0.0012346, 3.1416.
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(5)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
