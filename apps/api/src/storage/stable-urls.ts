import type { PresignGetOptions } from './storage-driver';

/**
 * Signing for content-addressed objects (media, thumbnails, masks, table media), whose bytes never
 * change: every URL handed out within one window of time is signed as of the window's start and
 * expires at the end of the next window, so the same object gets the same URL all window long
 * (a browser downloads it once, however many answers name it) and a URL handed out is good for at
 * least one window. The object is served `immutable` for as long as its URL lives.
 */
export function stableSigning(windowSeconds: number, now = Date.now()): Pick<PresignGetOptions, 'signedAt' | 'expiresIn' | 'cacheControl'> {
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const expiresIn = 2 * windowSeconds;
  return { signedAt: new Date(start), expiresIn, cacheControl: `private, max-age=${expiresIn}, immutable` };
}
