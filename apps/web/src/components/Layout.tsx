import { Link, NavLink, Outlet, useNavigate, useParams } from 'react-router';
import type { NotificationList } from '@trackbase/contracts';
import { useResource } from '../api/hooks';
import { useSession } from '../api/session';
import { useNotificationPushes } from '../live/socket';

export function Layout() {
  const { session, orgs, signOut } = useSession();
  const { org } = useParams();
  const navigate = useNavigate();
  const inbox = useResource<NotificationList>('/api/v1/users/me/notifications?limit=1');
  useNotificationPushes(inbox.reload);
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          Trackbase
        </Link>
        <label className="org-switcher">
          <span className="sr-only">Organization</span>
          <select aria-label="Organization" value={org ?? ''} onChange={(e) => navigate(e.target.value ? `/${e.target.value}` : '/')}>
            <option value="">Organizations…</option>
            {orgs.data?.map((o) => (
              <option key={o.id} value={o.slug}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        <nav>
          {org && <NavLink to={`/${org}/reports`}>Reports</NavLink>}
          {org && <NavLink to={`/${org}/settings`}>Organization settings</NavLink>}
          <NavLink to="/notifications" aria-label={`Notifications, ${inbox.data?.unreadCount ?? 0} unread`}>
            Notifications{inbox.data?.unreadCount ? <span className="count">{inbox.data.unreadCount}</span> : null}
          </NavLink>
          <NavLink to="/account">Account</NavLink>
          <span className="muted">{session?.user.email}</span>
          <button className="link" onClick={() => void signOut().then(() => navigate('/login'))}>
            Sign out
          </button>
        </nav>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
