/**
 * Live references in Markdown: a run key (`VIS-42`), an artifact version
 * (`dataset:name:v3`, `model:name@production`). Each is found in plain text
 * (never inside code or links) and becomes a `trackbase:` link that the
 * renderer resolves with the viewer's own permissions.
 */
export type Reference =
  { kind: 'run'; key: string } | { kind: 'artifact'; type: 'dataset' | 'model'; name: string; version: string; separator: ':' | '@' };

const PATTERN =
  /\b(?:([A-Z][A-Z0-9]{0,5}-\d{1,9})|(dataset|model):([A-Za-z0-9][A-Za-z0-9._-]{0,127})([:@])([A-Za-z0-9][A-Za-z0-9._-]{0,63}))(?![\w-])/g;

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
      : { kind: 'artifact', type: m[2] as 'dataset' | 'model', name: m[3]!, version: m[5]!, separator: m[4] as ':' | '@' };
    out.push({ start, end: start + m[0].length, text: m[0], reference });
  }
  return out;
}

export function referenceHref(reference: Reference): string {
  return reference.kind === 'run'
    ? `trackbase:run/${encodeURIComponent(reference.key)}`
    : `trackbase:${reference.type}/${encodeURIComponent(reference.name)}/${encodeURIComponent(reference.version)}/${reference.separator === '@' ? 'alias' : 'version'}`;
}

export function parseReferenceHref(href: string): Reference | null {
  const parts = href
    .replace(/^trackbase:/, '')
    .split('/')
    .map(decodeURIComponent);
  if (parts[0] === 'run' && parts.length === 2) return { kind: 'run', key: parts[1]! };
  if ((parts[0] === 'dataset' || parts[0] === 'model') && parts.length === 4)
    return { kind: 'artifact', type: parts[0], name: parts[1]!, version: parts[2]!, separator: parts[3] === 'alias' ? '@' : ':' };
  return null;
}

export function referenceText(reference: Reference): string {
  return reference.kind === 'run' ? reference.key : `${reference.type}:${reference.name}${reference.separator}${reference.version}`;
}
