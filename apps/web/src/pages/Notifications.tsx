import type { NotificationList } from '@trackbase/contracts';
import { Link } from 'react-router';
import { post } from '../api/client';
import { useResource } from '../api/hooks';
import { Empty, ErrorBox, formatTime, Loading } from '../components/ui';

export function NotificationsPage() {
  const list = useResource<NotificationList>('/api/v1/users/me/notifications?limit=100');
  const markAll = () => void post('/api/v1/users/me/notifications/read', { all: true }).then(list.reload);
  return (
    <section>
      <div className="title-row">
        <h1>Notifications</h1>
        {!!list.data?.unreadCount && <button onClick={markAll}>Mark all read</button>}
      </div>
      <ErrorBox error={list.error} />
      {!list.data && <Loading />}
      {list.data?.items.length === 0 && <Empty>Nothing yet. Mentions and replies to your comments land here.</Empty>}
      <ul className="list" aria-label="Notifications">
        {list.data?.items.map((n) => (
          <li key={n.id} className={n.readAt ? '' : 'unread'}>
            <strong>{n.actor.name}</strong> {n.kind === 'mention' ? 'mentioned you' : 'replied to you'} in{' '}
            {n.report ? (
              <Link to={`/${n.org}/reports/${n.report.id}`}>
                the report {n.report.title}
                {n.report.blockId ? ' (on a block)' : ''}
              </Link>
            ) : (
              <Link to={n.runKey ? `/${n.org}/${n.project}/runs/${n.runKey}` : `/${n.org}/${n.project}`}>
                {n.project}
                {n.runKey ? ` / ${n.runKey}` : ''}
              </Link>
            )}{' '}
            <span className="muted">{formatTime(n.createdAt)}</span>
            <div className="muted">{n.excerpt}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
