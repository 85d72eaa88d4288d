import { paths, type TokenPair } from '@trackbase/contracts';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { post, saveSession } from '../api/client';
import { ErrorBox } from '../components/ui';

/**
 * Where single sign-on lands: the server's callback put a one-time code in the URL fragment (never sent to a
 * server, so it stays out of logs); it is traded here for the session's tokens.
 */
export function SsoCompletePage() {
  const location = useLocation();
  const navigate = useNavigate();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  const next = new URLSearchParams(location.search).get('next') ?? '/';

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const code = new URLSearchParams(location.hash.slice(1)).get('sso_code');
    // Out of the address bar and history at once, whatever happens next.
    window.history.replaceState(null, '', location.pathname + location.search);
    if (!code) {
      setError(new Error('this page needs a sign-in code from your identity provider'));
      return;
    }
    post<TokenPair>(paths.ssoExchange(), { code })
      .then((pair) => {
        saveSession(pair);
        void navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      })
      .catch((e: Error) => setError(e));
  }, [location, navigate, next]);

  return (
    <main className="auth">
      <h1>Trackbase</h1>
      <div className="card">
        <h2>Single sign-on</h2>
        {error ? (
          <>
            <ErrorBox error={error} />
            <p>
              <Link to="/login">Back to sign in</Link>
            </p>
          </>
        ) : (
          <p className="muted">Signing you in…</p>
        )}
      </div>
    </main>
  );
}
