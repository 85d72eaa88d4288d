import type { Org } from '@trackbase/contracts';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { post } from '../api/client';
import { useSession } from '../api/session';
import { ErrorBox } from '../components/ui';

export function AcceptInvitePage() {
  const { token = '' } = useParams();
  const { session, orgs } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<Error | null>(null);
  async function accept() {
    try {
      const org = await post<Org>(`/api/v1/invitations/${encodeURIComponent(token)}/accept`);
      orgs.reload();
      void navigate(`/${org.slug}`);
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <section className="card">
      <h1>Join an organization</h1>
      <p>
        You are signed in as <strong>{session?.user.email}</strong>. The invitation must have been sent to this address.
      </p>
      <button onClick={() => void accept()}>Accept invitation</button>
      <ErrorBox error={error} />
    </section>
  );
}
