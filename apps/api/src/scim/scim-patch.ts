import {
  normaliseValue,
  stripSchemaUrn,
  writableAttributes,
  type ScimAttribute,
  type ScimObject,
  type ScimSchema,
} from './scim-attributes';
import { parseValueFilter } from './scim-filter';
import { scimInvalidPath, scimInvalidSyntax, scimInvalidValue, scimMutability, scimNoTarget } from './scim.errors';

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

interface ParsedPath {
  attribute: ScimAttribute;
  filter?: (element: unknown) => boolean;
  sub?: ScimAttribute;
}

const PATH = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/s;

function parsePath(schema: ScimSchema, raw: string): ParsedPath {
  const path = stripSchemaUrn(schema, raw.trim());
  const match = PATH.exec(path);
  if (!match) throw scimInvalidPath(`"${raw}" is not an attribute path`);
  const [, name, filter, subName] = match;
  const attribute = writableAttributes(schema).get(name!.toLowerCase());
  if (!attribute) {
    const known = schema.attributes.find((a) => a.name.toLowerCase() === name!.toLowerCase());
    if (known) throw scimMutability(`${known.name} is read-only`);
    throw scimInvalidPath(`${name} is not an attribute of ${schema.name}`);
  }
  if (filter !== undefined && !attribute.multiValued) throw scimInvalidPath(`${attribute.name} is not multi-valued`);
  let sub: ScimAttribute | undefined;
  if (subName !== undefined) {
    sub = attribute.subAttributes?.find((a) => a.name.toLowerCase() === subName.toLowerCase());
    if (!sub) throw scimInvalidPath(`${subName} is not a sub-attribute of ${attribute.name}`);
    if (sub.mutability === 'readOnly') throw scimMutability(`${attribute.name}.${sub.name} is read-only`);
  }
  return { attribute, filter: filter !== undefined ? parseValueFilter(filter) : undefined, sub };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merges complex values: the new sub-attributes win. */
function merge(current: unknown, value: unknown): unknown {
  if (current && typeof current === 'object' && !Array.isArray(current) && value && typeof value === 'object' && !Array.isArray(value))
    return { ...(current as ScimObject), ...(value as ScimObject) };
  return value;
}

function addValues(attribute: ScimAttribute, current: unknown, value: unknown): unknown {
  const normalised = normaliseValue(attribute, value);
  if (normalised === undefined) throw scimInvalidValue(`a value for ${attribute.name} is required`);
  if (!attribute.multiValued) return attribute.type === 'complex' ? merge(current, normalised) : normalised;
  const list = Array.isArray(current) ? [...(current as unknown[])] : [];
  for (const item of normalised as unknown[]) {
    // Members are the same member whatever else their entry says.
    const index = list.findIndex((existing) =>
      attribute.name === 'members' ? (existing as ScimObject).value === (item as ScimObject).value : sameValue(existing, item),
    );
    if (index >= 0) list[index] = merge(list[index], item);
    else list.push(item);
  }
  return list;
}

/** A PATCH operation's effect on one stored resource (RFC 7644 section 3.5.2), in place. */
function applyOne(schema: ScimSchema, resource: ScimObject, operation: PatchOperation): void {
  const op = String(operation.op ?? '').toLowerCase();
  if (op !== 'add' && op !== 'replace' && op !== 'remove')
    throw scimInvalidSyntax(`op must be add, replace or remove, not "${operation.op}"`);
  if (operation.path === undefined || operation.path === '') {
    if (op === 'remove') throw scimNoTarget('remove needs a path');
    if (!operation.value || typeof operation.value !== 'object' || Array.isArray(operation.value))
      throw scimInvalidValue(`${op} without a path needs an object of attributes`);
    for (const [key, value] of Object.entries(operation.value as ScimObject)) {
      if (key === 'schemas') continue;
      // A body that wraps attributes under the schema's URN, or names a sub-attribute with a dotted key (Entra ID).
      if (key.toLowerCase() === schema.id.toLowerCase() && value && typeof value === 'object' && !Array.isArray(value)) {
        applyOne(schema, resource, { op, value });
        continue;
      }
      applyOne(schema, resource, { op, path: key, value });
    }
    return;
  }
  if (typeof operation.path !== 'string') throw scimInvalidPath('path must be a string');
  const { attribute, filter, sub } = parsePath(schema, operation.path);
  const name = attribute.name;
  const current = resource[name];

  if (!filter) {
    if (sub) {
      // `name.givenName`, or on a multi-valued attribute every element's sub-attribute.
      if (attribute.multiValued) {
        const list = Array.isArray(current) ? (current as ScimObject[]) : [];
        if (op === 'remove') for (const item of list) delete item[sub.name];
        else {
          if (!list.length) throw scimNoTarget(`${name} has no values to set ${sub.name} on`);
          const value = normaliseValue(sub, operation.value, `${name}.${sub.name}`);
          for (const item of list) item[sub.name] = value;
        }
        return;
      }
      const object = { ...((current as ScimObject | undefined) ?? {}) };
      if (op === 'remove') delete object[sub.name];
      else {
        const value = normaliseValue(sub, operation.value, `${name}.${sub.name}`);
        if (value === undefined) delete object[sub.name];
        else object[sub.name] = value;
      }
      if (Object.keys(object).length) resource[name] = object;
      else delete resource[name];
      return;
    }
    if (op === 'remove') {
      // Entra ID removes members by value: `{"op":"remove","path":"members","value":[{"value":"<id>"}]}`.
      if (attribute.multiValued && Array.isArray(operation.value) && Array.isArray(current)) {
        const drop = normaliseValue(attribute, operation.value) as ScimObject[] | undefined;
        const left = (current as ScimObject[]).filter(
          (item) => !drop?.some((d) => (d.value !== undefined ? d.value === item.value : sameValue(d, item))),
        );
        if (left.length) resource[name] = left;
        else delete resource[name];
        return;
      }
      delete resource[name];
      return;
    }
    if (op === 'add') {
      const next = addValues(attribute, current, operation.value);
      if (next === undefined) delete resource[name];
      else resource[name] = next;
      return;
    }
    const value = normaliseValue(attribute, operation.value);
    if (value === undefined) delete resource[name];
    else resource[name] = value;
    return;
  }

  // `emails[type eq "work"]` and `emails[type eq "work"].value`: the elements the filter selects.
  const list = Array.isArray(current) ? (current as ScimObject[]) : [];
  const selected = list.filter((item) => filter(item));
  if (!selected.length) {
    if (op === 'remove') return;
    throw scimNoTarget(`no value of ${name} matches ${operation.path}`);
  }
  if (op === 'remove') {
    if (sub) for (const item of selected) delete item[sub.name];
    const left = sub ? list : list.filter((item) => !selected.includes(item));
    if (left.length) resource[name] = left;
    else delete resource[name];
    return;
  }
  if (sub) {
    const value = normaliseValue(sub, operation.value, `${name}.${sub.name}`);
    for (const item of selected) {
      if (value === undefined) delete item[sub.name];
      else item[sub.name] = value;
    }
    return;
  }
  const [replacement] = (normaliseValue(attribute, Array.isArray(operation.value) ? operation.value : [operation.value]) as
    ScimObject[] | undefined) ?? [undefined];
  if (!replacement) throw scimInvalidValue(`a value for ${name} is required`);
  resource[name] = list.map((item) => (selected.includes(item) ? (op === 'add' ? { ...item, ...replacement } : replacement) : item));
}

/** Applies the operations in order to a copy of the stored resource; the caller validates and stores the result. */
export function applyPatch(schema: ScimSchema, resource: ScimObject, operations: PatchOperation[]): ScimObject {
  const copy = structuredClone(resource);
  for (const operation of operations) applyOne(schema, copy, operation);
  return copy;
}
