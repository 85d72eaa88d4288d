import type { Readme, ReadmeDiff, ReadmeHistory } from '@trackbase/contracts';
import { useState } from 'react';
import { put } from '../api/client';
import { useResource } from '../api/hooks';
import { Markdown, type MarkdownScope } from '../markdown/Markdown';
import { ErrorBox, formatTime, Loading } from './ui';

/**
 * The README of a project, run or artifact (`path` is its API path):
 * rendered Markdown with live references, an editor with a preview for
 * those who may write, and the version history with a diff of each version
 * against the one before.
 */
export function ReadmeCard({ path, scope, canWrite, label }: { path: string; scope: MarkdownScope; canWrite: boolean; label: string }) {
  const readme = useResource<Readme>(path);
  const [mode, setMode] = useState<'view' | 'edit' | 'history'>('view');
  if (readme.error) return <ErrorBox error={readme.error} />;
  if (!readme.data) return <Loading what="Loading README" />;
  const r = readme.data;
  if (r.version === 0 && !canWrite) return null;
  return (
    <section className="card readme" aria-label={label}>
      <header className="readme-head">
        <strong>README</strong>
        {r.version > 0 && (
          <span className="muted small">
            v{r.version} · {r.author?.name} · {formatTime(r.createdAt)}
          </span>
        )}
        <span className="spacer" />
        {mode === 'view' && canWrite && (
          <button type="button" className="link" onClick={() => setMode('edit')}>
            {r.version === 0 ? 'Add a README' : 'Edit'}
          </button>
        )}
        {mode === 'view' && r.version > 1 && (
          <button type="button" className="link" onClick={() => setMode('history')}>
            History
          </button>
        )}
        {mode !== 'view' && (
          <button type="button" className="link" onClick={() => setMode('view')}>
            Close
          </button>
        )}
      </header>
      {mode === 'view' && r.version > 0 && <Markdown text={r.body} scope={scope} />}
      {mode === 'edit' && (
        <ReadmeEditor
          readme={r}
          scope={scope}
          onSave={async (body) => {
            const saved = await put<Readme>(path, { body, baseVersion: r.version });
            readme.setData(() => saved);
            setMode('view');
          }}
        />
      )}
      {mode === 'history' && <ReadmeHistoryView path={path} />}
    </section>
  );
}

function ReadmeEditor({ readme, scope, onSave }: { readme: Readme; scope: MarkdownScope; onSave: (body: string) => Promise<void> }) {
  const [text, setText] = useState(readme.body);
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);
  return (
    <form
      aria-label="Edit README"
      onSubmit={(event) => {
        event.preventDefault();
        setSaving(true);
        onSave(text).then(
          () => setSaving(false),
          (e: Error) => {
            setSaving(false);
            setError(e);
          },
        );
      }}
    >
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={!preview} className={preview ? '' : 'active'} onClick={() => setPreview(false)}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={preview} className={preview ? 'active' : ''} onClick={() => setPreview(true)}>
          Preview
        </button>
      </div>
      {preview ? (
        <Markdown text={text} scope={scope} />
      ) : (
        <label>
          <span className="sr-only">README text</span>
          <textarea
            name="readme"
            rows={14}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Markdown: run keys like VIS-42, dataset:name:v3 and model:name@production become links"
          />
        </label>
      )}
      <ErrorBox error={error} />
      <button type="submit" disabled={saving}>
        Save README
      </button>
    </form>
  );
}

function ReadmeHistoryView({ path }: { path: string }) {
  const history = useResource<ReadmeHistory>(`${path}/versions`);
  const [shown, setShown] = useState<number | null>(null);
  const diff = useResource<ReadmeDiff>(shown ? `${path}/diff?from=${shown - 1}&to=${shown}` : null);
  if (history.error) return <ErrorBox error={history.error} />;
  if (!history.data) return <Loading what="Loading history" />;
  return (
    <div className="readme-history">
      <ol className="plain" aria-label="README versions">
        {history.data.items.map((v) => (
          <li key={v.version}>
            <button type="button" className={`link ${shown === v.version ? 'active' : ''}`} onClick={() => setShown(v.version)}>
              v{v.version}
            </button>{' '}
            <span>{v.author.name}</span> <span className="muted small">{formatTime(v.createdAt)}</span>
          </li>
        ))}
      </ol>
      {shown && !diff.data && <Loading what="Loading changes" />}
      {shown && diff.data && (
        <div aria-label={`Changes in v${shown}`}>
          <p className="muted small">
            v{diff.data.from} → v{diff.data.to}: +{diff.data.added} −{diff.data.removed}
          </p>
          <pre className="diff">
            {diff.data.lines.map((line, i) => (
              <div key={i} className={`diff-${line.op}`}>
                {line.op === 'add' ? '+ ' : line.op === 'remove' ? '- ' : '  '}
                {line.text}
              </div>
            ))}
          </pre>
        </div>
      )}
    </div>
  );
}
