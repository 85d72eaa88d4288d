import { scimInvalidPath, scimInvalidValue } from './scim.errors';

export interface ScimAttribute {
  name: string;
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
  multiValued: boolean;
  description?: string;
  required: boolean;
  caseExact?: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  subAttributes?: ScimAttribute[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

export interface ScimSchema {
  schemas: string[];
  id: string;
  name: string;
  description?: string;
  attributes: ScimAttribute[];
}

export type ScimObject = Record<string, unknown>;

/** The common attribute every resource may carry besides its schema's (RFC 7643 section 3.1). */
const EXTERNAL_ID: ScimAttribute = {
  name: 'externalId',
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: true,
  mutability: 'readWrite',
  returned: 'default',
};

/** The writable attributes of a schema (and externalId), by lower-cased name. */
export function writableAttributes(schema: ScimSchema): Map<string, ScimAttribute> {
  const map = new Map<string, ScimAttribute>();
  for (const attribute of [...schema.attributes, EXTERNAL_ID]) {
    if (attribute.mutability !== 'readOnly') map.set(attribute.name.toLowerCase(), attribute);
  }
  return map;
}

/** Strips the schema's URN from an attribute path (`urn:...:User:name.givenName` is `name.givenName`). */
export function stripSchemaUrn(schema: ScimSchema, path: string): string {
  const urn = `${schema.id.toLowerCase()}:`;
  if (path.toLowerCase().startsWith(urn)) return path.slice(urn.length);
  if (/^urn:/i.test(path)) throw scimInvalidPath(`attributes of ${path.slice(0, path.lastIndexOf(':'))} are not supported`);
  return path;
}

function typed(attribute: ScimAttribute, value: unknown, where: string): unknown {
  switch (attribute.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra ID sends booleans as "True"/"False" in PATCH operations.
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw scimInvalidValue(`${where} must be a boolean`);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw scimInvalidValue(`${where} must be an integer`);
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw scimInvalidValue(`${where} must be a number`);
    case 'complex': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw scimInvalidValue(`${where} must be an object`);
      const out = normaliseObject(attribute.subAttributes ?? [], value as ScimObject, where);
      return Object.keys(out).length ? out : undefined;
    }
    default:
      if (typeof value !== 'string') throw scimInvalidValue(`${where} must be a string`);
      if (value.length > 4096) throw scimInvalidValue(`${where} is longer than 4096 characters`);
      return value;
  }
}

/** One attribute's value, checked and with sub-attribute names in the schema's spelling; `undefined` for unassigned. */
export function normaliseValue(attribute: ScimAttribute, value: unknown, where = attribute.name): unknown {
  if (value === null || value === undefined) return undefined;
  if (attribute.multiValued) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length > 1000) throw scimInvalidValue(`${where} has more than 1000 values`);
    const items = list.map((item, i) => typed(attribute, item, `${where}[${i}]`)).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  if (Array.isArray(value)) throw scimInvalidValue(`${where} takes one value, not a list`);
  return typed(attribute, value, where);
}

function normaliseObject(attributes: ScimAttribute[], input: ScimObject, where: string): ScimObject {
  const byName = new Map(attributes.map((a) => [a.name.toLowerCase(), a]));
  const out: ScimObject = {};
  for (const [key, value] of Object.entries(input)) {
    const attribute = byName.get(key.toLowerCase());
    if (!attribute || attribute.mutability === 'readOnly') continue;
    const normalised = normaliseValue(attribute, value, `${where}.${attribute.name}`);
    if (normalised !== undefined) out[attribute.name] = normalised;
  }
  return out;
}

/**
 * A resource body as stored: the schema's writable attributes (and externalId) in the schema's spelling, checked
 * against their types. Read-only attributes (id, meta, groups) and attributes of schemas this server does not
 * serve (such as extensions an identity provider adds) are ignored, as RFC 7644 lets a service provider do.
 */
export function normaliseResource(schema: ScimSchema, input: ScimObject): ScimObject {
  const out: ScimObject = {};
  const attributes = writableAttributes(schema);
  for (const [key, value] of Object.entries(input)) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue;
    // The schema's attributes may also come wrapped under its URN.
    if (key.toLowerCase() === schema.id.toLowerCase() && value && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(out, normaliseResource(schema, value as ScimObject));
      continue;
    }
    const attribute = attributes.get(key.toLowerCase());
    if (!attribute) continue;
    const normalised = normaliseValue(attribute, value);
    if (normalised !== undefined) out[attribute.name] = normalised;
  }
  return out;
}

/** Checks the required attributes are there (after a create, a replace or a patch). */
export function assertRequired(schema: ScimSchema, resource: ScimObject): void {
  for (const attribute of schema.attributes) {
    if (attribute.required && attribute.mutability !== 'readOnly' && resource[attribute.name] === undefined)
      throw scimInvalidValue(`${attribute.name} is required`);
  }
}

/** `attributes` / `excludedAttributes` of a query: what to return of a resource (id and schemas always). */
export function projectResource(schema: ScimSchema, resource: ScimObject, attributes?: string[], excluded?: string[]): ScimObject {
  if (attributes?.length) {
    const out: ScimObject = { schemas: resource.schemas, id: resource.id };
    for (const path of attributes) copyPath(resource, out, pathParts(schema, path));
    return out;
  }
  if (excluded?.length) {
    const out = structuredClone(resource);
    for (const path of excluded) {
      const parts = pathParts(schema, path);
      if (parts.length === 1 && (parts[0] === 'id' || parts[0] === 'schemas')) continue;
      dropPath(out, parts);
    }
    return out;
  }
  return resource;
}

function pathParts(schema: ScimSchema, path: string): string[] {
  let stripped: string;
  try {
    stripped = stripSchemaUrn(schema, path.trim());
  } catch {
    return [];
  }
  return stripped.split('.').filter(Boolean);
}

function findKey(object: ScimObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

function copyPath(from: ScimObject, to: ScimObject, parts: string[]): void {
  const [head, ...rest] = parts;
  if (!head) return;
  const key = findKey(from, head);
  if (!key) return;
  const value = from[key];
  if (!rest.length) {
    to[key] = value;
    return;
  }
  if (Array.isArray(value)) {
    const existing = (Array.isArray(to[key]) ? to[key] : value.map(() => ({}))) as ScimObject[];
    value.forEach((item, i) => {
      if (item && typeof item === 'object') copyPath(item as ScimObject, existing[i]!, rest);
    });
    to[key] = existing;
  } else if (value && typeof value === 'object') {
    const existing = (to[key] && typeof to[key] === 'object' ? to[key] : {}) as ScimObject;
    copyPath(value as ScimObject, existing, rest);
    to[key] = existing;
  }
}

function dropPath(object: ScimObject, parts: string[]): void {
  const [head, ...rest] = parts;
  if (!head) return;
  const key = findKey(object, head);
  if (!key) return;
  if (!rest.length) {
    delete object[key];
    return;
  }
  const value = object[key];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item && typeof item === 'object') dropPath(item as ScimObject, rest);
  }
}
