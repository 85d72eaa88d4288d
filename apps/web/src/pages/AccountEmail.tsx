import { PASSWORD_MIN_LENGTH, paths, type Accepted } from '@trackbase/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { post } from '../api/client';
import { ErrorBox } from '../components/ui';

const tokenOf = (search: string) => new URLSearchParams(search).get('token') ?? '';

/** Asks for a reset link; the answer is the same whether or not the email has an account. */
export function ForgotPasswordPage() {
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email'));
    setBusy(true);
    setError(null);
    try {
      setSent((await post<Accepted>(paths.passwordResetRequest(), { email })).message);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <h1>Trackbase</h1>
      <form onSubmit={submit} className="card" aria-label="Forgot password">
        <h2>Reset your password</h2>
        <p className="muted">We will email you a link to choose a new password.</p>
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <ErrorBox error={error} />
        {sent && (
          <p role="status" className="notice">
            {sent}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Send the link
        </button>
        <p className="muted">
          <Link to="/login">Back to sign in</Link>
        </p>
      </form>
    </main>
  );
}

/** The link of a reset email: a new password, then every session of the account ends. */
export function ResetPasswordPage() {
  const token = tokenOf(useLocation().search);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password'));
    setBusy(true);
    setError(null);
    try {
      await post(paths.passwordReset(), { token, password });
      setDone(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <h1>Trackbase</h1>
      <form onSubmit={submit} className="card" aria-label="Choose a new password">
        <h2>Choose a new password</h2>
        {done ? (
          <p role="status" className="notice">
            Your password is changed and every session was signed out. <Link to="/login">Sign in</Link> with the new password.
          </p>
        ) : (
          <>
            <label>
              New password
              <input name="password" type="password" required minLength={PASSWORD_MIN_LENGTH} autoComplete="new-password" />
              <small className="muted">At least {PASSWORD_MIN_LENGTH} characters.</small>
            </label>
            <ErrorBox error={error} />
            {error && (
              <p className="muted">
                <Link to="/forgot-password">Ask for a new link</Link>
              </p>
            )}
            <button type="submit" disabled={busy || !token}>
              Set the password
            </button>
          </>
        )}
      </form>
    </main>
  );
}

/** The link of a verification email: confirms the address as the page opens. */
export function VerifyEmailPage() {
  const token = tokenOf(useLocation().search);
  const [state, setState] = useState<'working' | 'done' | Error>('working');
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    post(paths.verifyEmail(), { token })
      .then(() => setState('done'))
      .catch((e: Error) => setState(e));
  }, [token]);

  return (
    <main className="auth">
      <h1>Trackbase</h1>
      <div className="card" aria-label="Email verification">
        <h2>Email verification</h2>
        {state === 'working' && <p className="muted">Checking the link…</p>}
        {state === 'done' && (
          <p role="status" className="notice">
            Your email is verified. <Link to="/">Continue to Trackbase</Link>
          </p>
        )}
        {state instanceof Error && (
          <>
            <ErrorBox error={state} />
            <p className="muted">
              Sign in and ask for a new link from your <Link to="/account">account page</Link>.
            </p>
          </>
        )}
      </div>
    </main>
  );
}
