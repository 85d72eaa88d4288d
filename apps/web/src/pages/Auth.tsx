import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useSession } from '../api/session';
import { PASSWORD_MIN_LENGTH } from '@trackbase/contracts';
import { ErrorBox } from '../components/ui';

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { signIn, signUp } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [existing, setExisting] = useState<string | null>(null);
  const next = new URLSearchParams(location.search).get('next') ?? '/';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setExisting(null);
    try {
      const email = String(form.get('email'));
      if (mode === 'signup') {
        if (!(await signUp(String(form.get('name')), email, String(form.get('password'))))) {
          setExisting(email);
          return;
        }
      } else await signIn(email, String(form.get('password')));
      navigate(next, { replace: true });
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <h1>Trackbase</h1>
      <form onSubmit={submit} className="card" aria-label={mode === 'signup' ? 'Sign up' : 'Sign in'}>
        <h2>{mode === 'signup' ? 'Create your account' : 'Sign in'}</h2>
        {mode === 'signup' && (
          <label>
            Name
            <input name="name" required autoComplete="name" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={mode === 'signup' ? PASSWORD_MIN_LENGTH : 1}
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            aria-describedby={mode === 'signup' ? 'password-rule' : undefined}
          />
          {mode === 'signup' && (
            <small id="password-rule" className="muted">
              At least {PASSWORD_MIN_LENGTH} characters.
            </small>
          )}
        </label>
        <ErrorBox error={error} />
        {existing && (
          <p role="status" className="notice">
            Check your email address: if {existing} already has an account, it was left as it is.{' '}
            <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link> with its password instead.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'signup' ? 'Sign up' : 'Sign in'}
        </button>
        <p className="muted">
          {mode === 'signup' ? (
            <>
              Have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
