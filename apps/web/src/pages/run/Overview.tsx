import type { RunDetail } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { patch } from '../../api/client';
import { ErrorBox, formatTime, formatValue } from '../../components/ui';
import { Markdown } from '../../markdown/Markdown';

export function Overview({
  run,
  canWrite,
  onSaved,
  org,
  project,
}: {
  run: RunDetail;
  canWrite: boolean;
  onSaved: () => void;
  org: string;
  project: string;
}) {
  const [error, setError] = useState<Error | null>(null);
  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await patch(paths.run(org, project, run.key), {
        description: String(form.get('description')),
        notes: String(form.get('notes')),
        tags: String(form.get('tags'))
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      });
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <div className="two-col">
      <dl className="facts">
        <dt>State</dt>
        <dd>{run.state}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(run.endedAt)}</dd>
        <dt>Last heartbeat</dt>
        <dd>{formatTime(run.heartbeatAt)}</dd>
        <dt>External id</dt>
        <dd>{run.externalId ?? '—'}</dd>
        {run.fork ? (
          <>
            <dt>Fork</dt>
            <dd data-testid="forked-from">
              forked from{' '}
              <Link to={paths.runPage(org, run.fork.project ?? project, run.fork.key)}>
                {run.fork.project ? `${run.fork.project}/${run.fork.key}` : run.fork.key}
              </Link>{' '}
              at step {run.fork.step}
            </dd>
          </>
        ) : null}
        <dt>Series</dt>
        <dd>{run.series.length}</dd>
      </dl>
      {canWrite ? (
        <form onSubmit={save} className="card" aria-label="Edit run">
          <label>
            Tags (comma-separated)
            <input name="tags" defaultValue={run.tags.join(', ')} />
          </label>
          <label>
            Description
            <input name="description" defaultValue={run.description} />
          </label>
          <label>
            Notes
            <textarea name="notes" rows={6} defaultValue={run.notes} />
          </label>
          <button type="submit">Save</button>
          <ErrorBox error={error} />
        </form>
      ) : (
        <div className="card">
          <p>
            <strong>Tags:</strong> {run.tags.join(', ') || '—'}
          </p>
          <Markdown text={run.description} scope={{ org, project }} />
          <Markdown text={run.notes} scope={{ org, project }} className="markdown notes" />
        </div>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>Series</th>
            <th>Kind</th>
            <th>Last</th>
            <th>Min</th>
            <th>Max</th>
            <th>Points</th>
          </tr>
        </thead>
        <tbody>
          {run.series.map((s) => (
            <tr key={`${s.kind}:${s.name}`}>
              <td>{s.name}</td>
              <td>{s.kind}</td>
              <td>{formatValue(s.last)}</td>
              <td>{formatValue(s.min)}</td>
              <td>{formatValue(s.max)}</td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
