/** Where the web app's account pages live, for links in emails. */
export const accountLinks = {
  verifyEmail: (origin: string, token: string) => `${origin}/verify-email?token=${encodeURIComponent(token)}`,
  resetPassword: (origin: string, token: string) => `${origin}/reset-password?token=${encodeURIComponent(token)}`,
  forgotPassword: (origin: string) => `${origin}/forgot-password`,
  invitation: (origin: string, token: string) => `${origin}/invite/${encodeURIComponent(token)}`,
  unsubscribe: (origin: string, token: string) => `${origin}/api/v1/email/unsubscribe/${encodeURIComponent(token)}`,
  account: (origin: string) => `${origin}/account`,
};
