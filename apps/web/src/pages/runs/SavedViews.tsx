import type { SavedView, SavedViewList, ViewState } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState } from 'react';
import { del, patch, post, put } from '../../api/client';
import { useResource } from '../../api/hooks';
import { ErrorBox } from '../../components/ui';

/**
 * Saved views: load one, save the current table (personal, or shared with the
 * project for contributors) and mark a default (yours, or the project's).
 */
export function SavedViews(props: {
  org: string;
  project: string;
  canShare: boolean;
  current: () => ViewState;
  onLoad: (view: SavedView) => void;
  list: ReturnType<typeof useResource<SavedViewList>>;
}) {
  const [error, setError] = useState<Error>();
  const [selected, setSelected] = useState('');
  const views = props.list.data?.items ?? [];
  const view = views.find((v) => v.id === selected);

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      props.list.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  function save(shared: boolean) {
    const name = window.prompt(shared ? 'Name of the shared view' : 'Name of your view');
    if (!name?.trim()) return;
    void run(async () => {
      const saved = await post<SavedView>(paths.views(props.org, props.project), {
        name: name.trim(),
        visibility: shared ? 'project' : 'personal',
        state: props.current(),
      });
      setSelected(saved.id);
    });
  }

  return (
    <div className="views" aria-label="Saved views" role="group">
      <label>
        View
        <select
          value={selected}
          onChange={(e) => {
            setSelected(e.target.value);
            const chosen = views.find((v) => v.id === e.target.value);
            if (chosen) props.onLoad(chosen);
          }}
        >
          <option value="">—</option>
          {views.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
              {v.visibility === 'personal' ? ' (personal)' : ''}
              {v.myDefault ? ' ★' : v.projectDefault ? ' ☆' : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="secondary" onClick={() => save(false)}>
        Save view
      </button>
      {props.canShare && (
        <button type="button" className="secondary" onClick={() => save(true)}>
          Save shared view
        </button>
      )}
      {view && (
        <>
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void run(() =>
                view.myDefault
                  ? del(`${paths.viewDefault(props.org, props.project, view.id)}?scope=personal`)
                  : put(paths.viewDefault(props.org, props.project, view.id), { scope: 'personal' }),
              )
            }
          >
            {view.myDefault ? 'Unset my default' : 'Make my default'}
          </button>
          {props.canShare && view.visibility === 'project' && !view.projectDefault && (
            <button
              type="button"
              className="secondary"
              onClick={() => void run(() => put(paths.viewDefault(props.org, props.project, view.id), { scope: 'project' }))}
            >
              Make project default
            </button>
          )}
          {(view.visibility === 'personal' || props.canShare) && (
            <button
              type="button"
              className="secondary"
              onClick={() => void run(() => patch(paths.view(props.org, props.project, view.id), { state: props.current() }))}
            >
              Update view
            </button>
          )}
        </>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
