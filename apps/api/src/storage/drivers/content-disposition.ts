/**
 * `attachment` with the RFC 5987 form only: every current browser reads it,
 * and it carries any file name (unicode, quotes, semicolons) without escaping
 * rules of its own. Both drivers use it, so downloads are named alike.
 */
export function attachmentDisposition(fileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}
