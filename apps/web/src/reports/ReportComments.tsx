import type { Comment, CommentThread, OrgMember, ReportBlock } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useMemo, useState } from 'react';
import { del, patch, post } from '../api/client';
import { useResource } from '../api/hooks';
import { useSession } from '../api/session';
import { Composer } from '../components/Comments';
import { ErrorBox, formatTime, Loading } from '../components/ui';
import { useReportCommentPushes } from '../live/socket';
import { Markdown } from '../markdown/Markdown';

/**
 * Comment threads of a report: on the whole report and on each block, with mentions of organization members (only
 * readers of the report are notified), Markdown through the one sanitising renderer, updated live over the socket.
 */
export function ReportComments({
  org,
  report,
  blocks,
  canModerate,
}: {
  org: string;
  report: string;
  blocks: ReportBlock[];
  canModerate: boolean;
}) {
  const base = `${paths.report(org, report)}/comments`;
  const threads = useResource<CommentThread[]>(base);
  const members = useResource<OrgMember[]>(`${paths.org(org)}/members`);
  const { session } = useSession();
  const people = useMemo(() => new Map((members.data ?? []).map((m) => [m.userId, m.name])), [members.data]);
  const [error, setError] = useState<Error | null>(null);
  const [target, setTarget] = useState('');
  useReportCommentPushes(org, report, threads.reload);

  const act = (promise: Promise<unknown>) => promise.then(threads.reload, setError);
  const blockName = (id: string | null) => {
    const block = blocks.find((b) => b.id === id);
    if (!block) return id ? 'a removed block' : 'the report';
    return block.type === 'text'
      ? `text “${block.markdown.slice(0, 30)}”`
      : block.title || (block.type === 'line' ? block.metrics.join(', ') : 'Runs');
  };
  const humans = (members.data ?? []).filter((m) => m.kind === 'human');
  const render = (c: Comment) => (
    <div className="comment" key={c.id}>
      <div className="muted">
        <strong>{c.author.name}</strong> · {formatTime(c.createdAt)} {c.editedAt ? '(edited)' : ''}
      </div>
      {c.deleted ? <p className="muted">[deleted]</p> : <Markdown text={c.body} people={people} className="markdown comment-body" />}
      {!c.deleted && c.author.id === session?.user.id && (
        <button
          className="link"
          onClick={() => {
            const body = window.prompt('Edit comment', c.body);
            if (body) void act(patch(`${base}/${c.id}`, { body }));
          }}
        >
          Edit
        </button>
      )}{' '}
      {!c.deleted && (c.author.id === session?.user.id || canModerate) && (
        <button className="link" onClick={() => void act(del(`${base}/${c.id}`))}>
          Delete
        </button>
      )}
    </div>
  );

  return (
    <section aria-label="Report comments">
      <h2>Comments</h2>
      <ErrorBox error={error ?? threads.error} />
      {!threads.data && !threads.error && <Loading what="Loading comments" />}
      {threads.data?.length === 0 && <p className="muted">No comments yet.</p>}
      {threads.data?.map((thread) => (
        <div className="thread" key={thread.id} aria-label={`Thread on ${blockName(thread.blockId)}`}>
          <div className="muted small">On {blockName(thread.blockId)}</div>
          {render(thread)}
          <div className="replies">{thread.replies.map(render)}</div>
          <Composer
            members={humans}
            label={`Reply to ${thread.author.name}`}
            onSubmit={(body) => act(post(base, { body, parentId: thread.id }))}
          />
        </div>
      ))}
      <label>
        Comment on
        <select aria-label="Comment on" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">the whole report</option>
          {blocks.map((b) => (
            <option key={b.id} value={b.id}>
              {blockName(b.id)}
            </option>
          ))}
        </select>
      </label>
      <Composer members={humans} label="New comment" onSubmit={(body) => act(post(base, target ? { body, blockId: target } : { body }))} />
    </section>
  );
}
