import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { get } from '../api/client';
import { useSession } from '../api/session';
import { AccountErrorCode, PASSWORD_MIN_LENGTH, paths, type SsoDiscoveryResponse, type TwoFactorChallenge } from '@trackbase/contracts';
import { TrackbaseApiError } from '@trackbase/sdk/client';
import { ErrorBox } from '../components/ui';

/** Messages for the codes the SSO callback sends a browser back with. */
const SSO_ERRORS: Record<string, string> = {
  sso_invalid_state: 'That sign-in expired or was started in another browser. Please try again.',
  sso_failed: 'Your identity provider’s answer could not be verified. Please try again.',
  sso_email_not_allowed: 'Your identity provider signed you in with an email this organization does not accept.',
  sso_not_configured: 'This organization has no single sign-on.',
};

/** The organization whose identity provider serves this email's domain, looked up as the email is typed. */
function useSsoRoute(email: string, enabled: boolean): SsoDiscoveryResponse | null {
  const [route, setRoute] = useState<SsoDiscoveryResponse | null>(null);
  useEffect(() => {
    const domain = email.split('@')[1] ?? '';
    if (!enabled || !domain.includes('.')) {
      setRoute(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      get<SsoDiscoveryResponse>(`${paths.ssoDiscover()}?email=${encodeURIComponent(email)}`)
        .then((found) => current && setRoute(found.sso ? found : null))
        .catch(() => current && setRoute(null));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [email, enabled]);
  return route;
}

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { signIn, signUp, completeTwoFactor } = useSession();
  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const query = new URLSearchParams(location.search);
  const next = query.get('next') ?? '/';
  const ssoError = query.get('sso_error');
  const [email, setEmail] = useState('');
  const sso = useSsoRoute(email.trim(), mode === 'login');
  const [existing, setExisting] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sso?.startUrl) {
      // To the organization's identity provider; it comes back to /sso/complete with a one-time code.
      const returnTo = `/sso/complete?next=${encodeURIComponent(next)}`;
      window.location.assign(`${sso.startUrl}?returnTo=${encodeURIComponent(returnTo)}`);
      return;
    }
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setExisting(null);
    try {
      const address = String(form.get('email'));
      if (mode === 'signup') {
        if (!(await signUp(String(form.get('name')), address, String(form.get('password'))))) {
          setExisting(address);
          return;
        }
      } else {
        const second = await signIn(address, String(form.get('password')));
        if (second) {
          setChallenge(second);
          return;
        }
      }
      void navigate(next, { replace: true });
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!challenge) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await completeTwoFactor(challenge.challengeToken, String(form.get('code')).trim());
      void navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof TrackbaseApiError && e.code === AccountErrorCode.InvalidTwoFactorChallenge) setChallenge(null);
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  if (challenge)
    return (
      <main className="auth">
        <h1>Trackbase</h1>
        <form onSubmit={submitCode} className="card" aria-label="Two-factor code">
          <h2>Two-factor code</h2>
          <p className="muted">Enter the six-digit code from your authenticator app, or one of your recovery codes.</p>
          <label>
            Code
            <input name="code" required autoComplete="one-time-code" inputMode="text" autoFocus pattern="[0-9A-Za-z-]{6,32}" />
          </label>
          <ErrorBox error={error} />
          <button type="submit" disabled={busy}>
            Verify
          </button>
          <p className="muted">
            <button type="button" className="link" onClick={() => setChallenge(null)}>
              Start over
            </button>
          </p>
        </form>
      </main>
    );

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
          <input name="email" type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        {sso ? (
          <p className="muted" role="status">
            Your organization signs you in with its identity provider.
          </p>
        ) : (
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
        )}
        {ssoError && !error && (
          <div className="error" role="alert">
            <strong>{SSO_ERRORS[ssoError] ?? 'Single sign-on failed. Please try again.'}</strong>{' '}
            <span className="muted">({ssoError})</span>
          </div>
        )}
        <ErrorBox error={error} />
        {existing && (
          <p role="status" className="notice">
            Check your email address: if {existing} already has an account, it was left as it is.{' '}
            <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link> with its password instead.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {sso ? 'Continue with single sign-on' : mode === 'signup' ? 'Sign up' : 'Sign in'}
        </button>
        <p className="muted">
          {mode === 'signup' ? (
            <>
              Have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link> ·{' '}
              <Link to="/forgot-password">Forgot your password?</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
