/** The parts of an email; every string is plain text (HTML is escaped when rendered). */
export interface EmailContent {
  subject: string;
  paragraphs: string[];
  /** The one button of the email, and its link spelled out in the text version. */
  action?: { label: string; url: string };
  /** Entries of a list (a digest), each with a link. */
  items?: Array<{ text: string; url: string }>;
  /** Small print: why this email came, how to stop it. */
  footer?: string[];
  unsubscribeUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Only http(s) links make it into an email (a stored `javascript:` never becomes an href). */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`refusing a ${parsed.protocol} link in an email`);
  return parsed.toString();
}

/** Header values stay on one line, whatever a user named their project. */
export function oneLine(value: string, max = 200): string {
  const flat = value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Plain text and HTML of the same email. */
export function renderEmail(content: EmailContent): RenderedEmail {
  const subject = oneLine(content.subject);
  const text: string[] = [...content.paragraphs];
  const html: string[] = content.paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`);
  if (content.items?.length) {
    text.push(content.items.map((item) => `- ${item.text}\n  ${safeUrl(item.url)}`).join('\n'));
    html.push(
      `<ul style="padding-left:20px;margin:0 0 16px">${content.items
        .map((item) => `<li style="margin:0 0 8px"><a href="${escapeHtml(safeUrl(item.url))}">${escapeHtml(item.text)}</a></li>`)
        .join('')}</ul>`,
    );
  }
  if (content.action) {
    const url = safeUrl(content.action.url);
    text.push(`${content.action.label}: ${url}`);
    html.push(
      `<p style="margin:24px 0"><a href="${escapeHtml(url)}" style="background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>`,
      `<p style="margin:0 0 16px;color:#555;font-size:13px">Or open this link: ${escapeHtml(url)}</p>`,
    );
  }
  const footer = [...(content.footer ?? [])];
  if (content.unsubscribeUrl) footer.push(`Unsubscribe: ${safeUrl(content.unsubscribeUrl)}`);
  if (footer.length) {
    text.push('--', ...footer);
    html.push(
      `<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 12px">`,
      ...(content.footer ?? []).map((f) => `<p style="margin:0 0 8px;color:#777;font-size:12px">${escapeHtml(f)}</p>`),
    );
    if (content.unsubscribeUrl)
      html.push(
        `<p style="margin:0;color:#777;font-size:12px"><a href="${escapeHtml(safeUrl(content.unsubscribeUrl))}">Unsubscribe</a></p>`,
      );
  }
  return {
    subject,
    text: `${text.join('\n\n')}\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:system-ui,sans-serif;color:#111;max-width:600px;margin:0 auto;padding:24px">${html.join('')}</body></html>`,
  };
}
