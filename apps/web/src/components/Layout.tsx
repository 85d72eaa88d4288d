import { Link, NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { useSession } from '../api/session';

export function Layout() {
  const { session, orgs, signOut } = useSession();
  const { org } = useParams();
  const navigate = useNavigate();
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
          {org && <NavLink to={`/${org}/settings`}>Organization settings</NavLink>}
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
