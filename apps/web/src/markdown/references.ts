/**
 * Live references in Markdown: a run key (`VIS-42`), an artifact version
 * (`dataset:name:v3`, `model:name@production`), a saved view by name
 * (`view:baseline`, `view:"Best runs"`) or by its URL (`…/{org}/{project}?view={id}`).
 * Each is found in plain text (never inside code or links; a view's URL is a
 * link of its own) and becomes a `trackbase:` link that the renderer resolves
 * with the viewer's own permissions.
 */
export type Reference =
  | { kind: 'run'; key: string }
  | { kind: 'artifact'; type: 'dataset' | 'model'; name: string; version: string; separator: ':' | '@' }
  | { kind: 'view'; name: string }
  | { kind: 'view-url'; org: string; project: string; id: string; text: string };

const PATTERN =
  /\b(?:([A-Z][A-Z0-9]{0,5}-\d{1,9})|(dataset|model):([A-Za-z0-9][A-Za-z0-9._-]{0,127})([:@])([A-Za-z0-9][A-Za-z0-9._-]{0,63})|view:(?:"([^"\n]{1,200})"|([A-Za-z0-9][A-Za-z0-9._-]{0,199}?))(?=[.,;:!?)]*(?:\s|$)))(?![\w-])/g;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A saved view's URL in this app (`/{org}/{project}?view={id}`, with or without this origin), or null.
 * URLs of other origins are ordinary links.
 */
export function viewUrlReference(url: string, origin = typeof window === 'undefined' ? '' : window.location.origin): Reference | null {
  let parsed: URL;
  try {
    parsed = new URL(url, origin || 'http://localhost');
  } catch {
    return null;
  }
  const sameOrigin = url.startsWith('/') ? !url.startsWith('//') : !!origin && parsed.origin === origin;
  if (!sameOrigin) return null;
  const parts = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const id = parsed.searchParams.get('view');
  if (parts.length !== 2 || !id || !UUID.test(id) || parts[0] === 'shared') return null;
  return { kind: 'view-url', org: parts[0]!, project: parts[1]!, id, text: url };
}

export interface Match {
  start: number;
  end: number;
  text: string;
  reference: Reference;
}

/** Every reference in a run of plain text, in order. */
export function findReferences(text: string): Match[] {
  const out: Match[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const start = m.index;
    const reference: Reference = m[1]
      ? { kind: 'run', key: m[1] }
      : m[2]
        ? { kind: 'artifact', type: m[2] as 'dataset' | 'model', name: m[3]!, version: m[5]!, separator: m[4] as ':' | '@' }
        : { kind: 'view', name: (m[6] ?? m[7]!).trim() };
    out.push({ start, end: start + m[0].length, text: m[0], reference });
  }
  return out;
}

export function referenceHref(reference: Reference): string {
  switch (reference.kind) {
    case 'run':
      return `trackbase:run/${encodeURIComponent(reference.key)}`;
    case 'view':
      return `trackbase:view/${encodeURIComponent(reference.name)}`;
    case 'view-url':
      return `trackbase:view-url/${[reference.org, reference.project, reference.id, reference.text].map(encodeURIComponent).join('/')}`;
    default:
      return `trackbase:${reference.type}/${encodeURIComponent(reference.name)}/${encodeURIComponent(reference.version)}/${reference.separator === '@' ? 'alias' : 'version'}`;
  }
}

export function parseReferenceHref(href: string): Reference | null {
  const parts = href
    .replace(/^trackbase:/, '')
    .split('/')
    .map(decodeURIComponent);
  if (parts[0] === 'run' && parts.length === 2) return { kind: 'run', key: parts[1]! };
  if (parts[0] === 'view' && parts.length === 2) return { kind: 'view', name: parts[1]! };
  if (parts[0] === 'view-url' && parts.length === 5)
    return { kind: 'view-url', org: parts[1]!, project: parts[2]!, id: parts[3]!, text: parts[4]! };
  if ((parts[0] === 'dataset' || parts[0] === 'model') && parts.length === 4)
    return { kind: 'artifact', type: parts[0], name: parts[1]!, version: parts[2]!, separator: parts[3] === 'alias' ? '@' : ':' };
  return null;
}

export function referenceText(reference: Reference): string {
  switch (reference.kind) {
    case 'run':
      return reference.key;
    case 'view':
      return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(reference.name) ? `view:${reference.name}` : `view:"${reference.name}"`;
    case 'view-url':
      return reference.text;
    default:
      return `${reference.type}:${reference.name}${reference.separator}${reference.version}`;
  }
}
