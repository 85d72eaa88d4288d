import type { Org } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { post } from '../api/client';
import { useSession } from '../api/session';
import { Empty, ErrorBox, Loading } from '../components/ui';

/** Organizations of the signed-in user, and creating one. */
export function HomePage() {
  const { orgs } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<Error | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name'));
    try {
      const org = await post<Org>(paths.orgs(), { name });
      orgs.reload();
      void navigate(`/${org.slug}`);
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section>
      <h1>Organizations</h1>
      {orgs.loading && !orgs.data && <Loading />}
      <ErrorBox error={orgs.error} />
      {orgs.data?.length === 0 && <Empty>You belong to no organization yet. Create one below, or accept an invitation link.</Empty>}
      <ul className="list">
        {orgs.data?.map((o) => (
          <li key={o.id}>
            <Link to={`/${o.slug}`}>{o.name}</Link> <span className="muted">{o.role}</span>
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="inline" aria-label="Create organization">
        <label>
          New organization
          <input name="name" required placeholder="Acme Research" />
        </label>
        <button type="submit">Create organization</button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
