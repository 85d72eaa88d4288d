import type { CommentThread, Comment, ProjectMember } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { del, patch, post } from '../api/client';
import { useResource } from '../api/hooks';
import { useSession } from '../api/session';
import { Markdown } from '../markdown/Markdown';
import { ErrorBox, formatTime, Loading } from './ui';

export function CommentsPanel({
  org,
  project,
  run,
  canWrite,
  canModerate,
}: {
  org: string;
  project: string;
  run?: string;
  canWrite: boolean;
  canModerate: boolean;
}) {
  const base = run ? `${paths.run(org, project, run)}/comments` : `${paths.project(org, project)}/comments`;
  const threads = useResource<CommentThread[]>(base);
  const members = useResource<ProjectMember[]>(`${paths.project(org, project)}/members`);
  const { session } = useSession();
  const people = useMemo(() => new Map((members.data ?? []).map((m) => [m.userId, m.name])), [members.data]);
  const scope = useMemo(() => ({ org, project }), [org, project]);
  const [error, setError] = useState<Error | null>(null);

  const act = (promise: Promise<unknown>) => promise.then(threads.reload, setError);
  const remove = (c: Comment) => act(del(`${paths.project(org, project)}/comments/${c.id}`));
  const edit = (c: Comment) => {
    const body = window.prompt('Edit comment', c.body);
    if (body) void act(patch(`${paths.project(org, project)}/comments/${c.id}`, { body }));
  };

  const render = (c: Comment) => (
    <div className="comment" key={c.id}>
      <div className="muted">
        <strong>{c.author.name}</strong> · {formatTime(c.createdAt)} {c.editedAt ? '(edited)' : ''}
      </div>
      {c.deleted ? (
        <p className="muted">[deleted]</p>
      ) : (
        <Markdown text={c.body} scope={scope} people={people} className="markdown comment-body" />
      )}
      {!c.deleted && c.author.id === session?.user.id && (
        <button className="link" onClick={() => edit(c)}>
          Edit
        </button>
      )}{' '}
      {!c.deleted && (c.author.id === session?.user.id || canModerate) && (
        <button className="link" onClick={() => void remove(c)}>
          Delete
        </button>
      )}
    </div>
  );

  return (
    <section aria-label="Comments">
      <ErrorBox error={error ?? threads.error} />
      {!threads.data && <Loading what="Loading comments" />}
      {threads.data?.length === 0 && <p className="muted">No comments yet.</p>}
      {threads.data?.map((thread) => (
        <div className="thread" key={thread.id}>
          {render(thread)}
          <div className="replies">{thread.replies.map(render)}</div>
          {canWrite && (
            <Composer
              members={members.data ?? []}
              label={`Reply to ${thread.author.name}`}
              onSubmit={(body) => act(post(base, { body, parentId: thread.id }))}
            />
          )}
        </div>
      ))}
      {canWrite && <Composer members={members.data ?? []} label="New comment" onSubmit={(body) => act(post(base, { body }))} />}
    </section>
  );
}

/** A comment box with a mention menu (inserts `@[Name](user:<id>)`); also used by report comments. */
export function Composer({
  members,
  label,
  onSubmit,
}: {
  members: Array<Pick<ProjectMember, 'userId' | 'name'>>;
  label: string;
  onSubmit: (body: string) => Promise<unknown>;
}) {
  const text = useRef<HTMLTextAreaElement>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = text.current?.value.trim();
    if (!body) return;
    await onSubmit(body);
    if (text.current) text.current.value = '';
  }
  function mention(userId: string) {
    const member = members.find((m) => m.userId === userId);
    if (!member || !text.current) return;
    text.current.value += `@[${member.name}](user:${member.userId}) `;
    text.current.focus();
  }
  return (
    <form className="composer" onSubmit={submit} aria-label={label}>
      <label>
        {label}
        <textarea ref={text} rows={2} placeholder="Markdown; mention someone with the menu" />
      </label>
      <select aria-label="Mention" value="" onChange={(e) => mention(e.target.value)}>
        <option value="">Mention…</option>
        {members.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.name}
          </option>
        ))}
      </select>
      <button type="submit">Comment</button>
    </form>
  );
}
