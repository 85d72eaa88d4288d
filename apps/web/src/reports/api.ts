import { HttpClient, TrackbaseApi, TrackbaseApiError, TrackbaseUnavailableError } from '@trackbase/sdk/client';
import { trackbase } from '../api/client';

/** The server's answer when retries ran out (its code and fields), as the app's `api()` does. */
export async function unwrap<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw error instanceof TrackbaseUnavailableError && error.cause instanceof TrackbaseApiError ? error.cause : error;
  }
}

/** Report calls with the viewer's session. */
export const reportsApi = trackbase;

/**
 * Share-link pages use a client without the session: the token in the URL is
 * the only credential, so the page shows what a person without an account sees.
 */
export const sharedApi = new TrackbaseApi(new HttpClient({ baseUrl: '', maxAttempts: 3 }));

/** The web page a share link opens (the API answers the token's `path`). */
export const shareUrl = (token: string) => `${window.location.origin}/shared/reports/${encodeURIComponent(token)}`;
export const embedUrl = (token: string, block: string) => `${shareUrl(token)}/embed/${encodeURIComponent(block)}`;

let counter = 0;
/** A block id (`[A-Za-z0-9_-]{1,40}`), unique within a report. */
export function newBlockId(prefix = 'b'): string {
  counter = (counter + 1) % 1_000;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Saves an exported report (one self-contained HTML file) as a download. */
export function saveHtmlFile(title: string, html: string): void {
  const name = `${
    title
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'report'
  }.html`;
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
