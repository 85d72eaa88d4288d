import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: ApiError | Error | undefined | null }) {
  if (!error) return null;
  const code = 'code' in error ? (error as ApiError).code : undefined;
  const details = 'details' in error ? (error as ApiError).details : undefined;
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
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
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(5);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
