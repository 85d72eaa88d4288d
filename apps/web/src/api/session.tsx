import type { Org, SignupAccepted, TokenPair, TwoFactorChallenge } from '@trackbase/contracts';
import { AuthErrorCode } from '@trackbase/contracts';
import { TrackbaseApiError } from '@trackbase/sdk/client';
import { paths } from '@trackbase/contracts';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { loadSession, onSessionChange, post, saveSession } from './client';
import { useResource, type Resource } from './hooks';

interface SessionValue {
  session: TokenPair | null;
  orgs: Resource<Org[]>;
  /** Signs in, or answers the second step to complete with `completeTwoFactor` when the account has two-factor on. */
  signIn(email: string, password: string): Promise<TwoFactorChallenge | null>;
  completeTwoFactor(challengeToken: string, code: string): Promise<void>;
  /**
   * Signs up, then in. Sign-up answers alike whether or not the email had an account; `false` means signing in
   * with these credentials failed, so the email most likely had an account already (left unchanged).
   */
  signUp(name: string, email: string, password: string): Promise<boolean>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<TokenPair | null>(loadSession());
  useEffect(() => onSessionChange(setSession), []);
  const orgs = useResource<Org[]>(session ? paths.orgs() : null);
  const userId = session?.user.id;
  const { reload } = orgs;
  useEffect(() => {
    if (userId) reload();
  }, [userId, reload]);
  const value: SessionValue = {
    session,
    orgs,
    async signIn(email, password) {
      const answer = await post<TokenPair | TwoFactorChallenge>(paths.login(), { email, password });
      if ('challengeToken' in answer) return answer;
      saveSession(answer);
      return null;
    },
    async completeTwoFactor(challengeToken, code) {
      saveSession(await post<TokenPair>(paths.loginTwoFactor(), { challengeToken, code }));
    },
    async signUp(name, email, password) {
      await post<SignupAccepted>(paths.signup(), { name, email, password });
      try {
        const answer = await post<TokenPair | TwoFactorChallenge>(paths.login(), { email, password });
        // A second step means an existing account (with two-factor) took this password: not a new one.
        if ('challengeToken' in answer) return false;
        saveSession(answer);
        return true;
      } catch (error) {
        if (error instanceof TrackbaseApiError && error.code === AuthErrorCode.InvalidCredentials) return false;
        throw error;
      }
    },
    async signOut() {
      const current = loadSession();
      if (current) await post(paths.logout(), { refreshToken: current.refreshToken }).catch(() => undefined);
      saveSession(null);
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
