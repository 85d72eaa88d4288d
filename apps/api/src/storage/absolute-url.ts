/**
 * The local store signs URLs relative to the API's origin (it does not know
 * the host the caller used); S3 URLs are absolute already.
 */
export function absoluteUrl(origin: string, url: string): string {
  return url.startsWith('/') ? `${origin.replace(/\/$/, '')}${url}` : url;
}
