import {
  EMAIL_MODES,
  paths,
  type Accepted,
  type AccountSecurity,
  type EmailMode,
  type EmailPreferences,
  type RecoveryCodes,
  type TwoFactorEnrolment,
} from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { patch, post } from '../api/client';
import { useResource } from '../api/hooks';
import { CopyButton } from './CopyButton';
import { ErrorBox } from './ui';

const MODE_LABEL: Record<EmailMode, string> = { off: 'Off', immediate: 'Right away', digest: 'Daily digest' };

/** Email verification, two-factor (enrol with a QR code, confirm, recovery codes shown once, disable) and email preferences. */
export function AccountSecuritySection() {
  const security = useResource<AccountSecurity>(paths.mySecurity());
  const preferences = useResource<EmailPreferences>(paths.myEmailPreferences());
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    try {
      await work();
    } catch (e) {
      setError(e as Error);
    }
  };
  const codeOf = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    return String(new FormData(event.currentTarget).get('code')).trim();
  };

  const start = () => run(async () => setEnrolment(await post<TwoFactorEnrolment>(paths.myTwoFactor('enrol'))));
  const confirm = (event: FormEvent<HTMLFormElement>) => {
    const code = codeOf(event);
    return run(async () => {
      setCodes((await post<RecoveryCodes>(paths.myTwoFactor('confirm'), { code })).recoveryCodes);
      setEnrolment(null);
      security.reload();
    });
  };
  const disable = (event: FormEvent<HTMLFormElement>) => {
    const code = codeOf(event);
    return run(async () => {
      await post(paths.myTwoFactor('disable'), { code });
      setCodes(null);
      security.reload();
    });
  };
  const resend = () => run(async () => setNotice((await post<Accepted>(paths.myVerificationEmail())).message));
  const choose = (category: keyof EmailPreferences, mode: EmailMode) =>
    run(async () => {
      await patch(paths.myEmailPreferences(), { [category]: mode });
      preferences.reload();
    });

  const s = security.data;
  return (
    <>
      <h2>Email</h2>
      {s && !s.emailVerified && (
        <p className="notice" role="status">
          Your email is not verified yet: notification emails wait until it is.{' '}
          <button className="link" onClick={() => void resend()}>
            Send a new verification link
          </button>
        </p>
      )}
      {preferences.data && (
        <div className="card" aria-label="Email notifications">
          {(['comments', 'runs'] as const).map((category) => (
            <label key={category}>
              {category === 'comments' ? 'Mentions and replies' : 'My runs that finish or crash'}
              <select value={preferences.data![category]} onChange={(e) => void choose(category, e.target.value as EmailMode)}>
                {EMAIL_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {MODE_LABEL[mode]}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      )}
      <h2>Two-factor authentication</h2>
      {s?.twoFactorEnabled ? (
        <form className="card" onSubmit={(e) => void disable(e)} aria-label="Disable two-factor">
          <p role="status">
            Two-factor is <strong>on</strong>. {s.recoveryCodesLeft} recovery codes left.
          </p>
          <label>
            Code to turn it off
            <input name="code" required autoComplete="one-time-code" />
          </label>
          <button type="submit" className="secondary">
            Disable two-factor
          </button>
        </form>
      ) : enrolment ? (
        <form className="card" onSubmit={(e) => void confirm(e)} aria-label="Confirm two-factor">
          <p>Scan this code with your authenticator app (or enter the secret), then type the six-digit code it shows.</p>
          <img src={enrolment.qrCodeDataUrl} alt="Two-factor QR code" width={200} height={200} />
          <p>
            Secret: <code data-testid="totp-secret">{enrolment.secret}</code> <CopyButton text={enrolment.secret} label="Copy secret" />
          </p>
          <label>
            Code from the app
            <input name="code" required inputMode="numeric" pattern="[0-9]{6}" autoComplete="one-time-code" />
          </label>
          <button type="submit">Confirm and enable</button>
        </form>
      ) : (
        s && (
          <p>
            Two-factor is off. <button onClick={() => void start()}>Enable two-factor</button>
          </p>
        )
      )}
      {codes && (
        <div className="notice" role="status" aria-label="Recovery codes">
          <p>
            Two-factor is on. Keep these recovery codes somewhere safe: each signs you in once without your phone. They will not be shown
            again.
          </p>
          <pre data-testid="recovery-codes">{codes.join('\n')}</pre>
          <CopyButton text={codes.join('\n')} label="Copy codes" />
        </div>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={error ?? security.error} />
    </>
  );
}
