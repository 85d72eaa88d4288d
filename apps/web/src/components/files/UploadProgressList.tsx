import type { UploadProgress } from '../../api/upload';
import { formatBytes } from '../ui';

const LABELS: Record<UploadProgress['phase'], string> = {
  waiting: 'waiting',
  hashing: 'checking',
  sending: 'uploading',
  done: 'uploaded',
  failed: 'failed',
};

export function UploadProgressList({ items }: { items: UploadProgress[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="list uploads" aria-label="Uploads">
      {items.map((p) => (
        <li key={p.path} className={`upload-${p.phase}`}>
          <code>{p.path}</code> <span className="muted">{formatBytes(p.total)}</span>{' '}
          {(p.phase === 'hashing' || p.phase === 'sending') && (
            <progress max={p.total || 1} value={p.loaded} aria-label={`Progress of ${p.path}`} />
          )}{' '}
          <span className={p.phase === 'failed' ? 'danger' : 'muted'}>
            {LABELS[p.phase]}
            {p.error ? `: ${p.error}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
