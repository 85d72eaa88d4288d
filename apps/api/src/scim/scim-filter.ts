import { parse, Tester, type Filter } from 'scim2-parse-filter';
import type { ScimObject, ScimSchema } from './scim-attributes';
import { stripSchemaUrn } from './scim-attributes';
import type { ScimNarrowing } from './scim.repository';
import { scimInvalidFilter } from './scim.errors';

/** Attributes compared case-sensitively (RFC 7643: `caseExact`); every other string compares ignoring case. */
const CASE_EXACT = new Set(['id', 'externalid', 'members.value', 'groups.value', 'meta.location']);

/**
 * scim2-parse-filter's evaluator compares strings exactly; SCIM compares the attributes that are not `caseExact`
 * (userName, emails, displayName...) ignoring case, so this evaluator lower-cases both sides for those.
 */
class ScimTester extends Tester {
  private exact = false;

  override test(r: unknown, f: Filter): boolean {
    if (f.op !== 'and' && f.op !== 'or' && f.op !== 'not' && f.op !== '[]') {
      const path = (f as { attrPath: string }).attrPath;
      const previous = this.exact;
      this.exact = CASE_EXACT.has(path.toLowerCase()) || (this.exact && !path.includes('.'));
      try {
        return super.test(r, f);
      } finally {
        this.exact = previous;
      }
    }
    if (f.op === '[]') {
      const previous = this.exact;
      try {
        return super.test(r, f);
      } finally {
        this.exact = previous;
      }
    }
    return super.test(r, f);
  }

  private fold(value: unknown): unknown {
    return !this.exact && typeof value === 'string' ? value.toLowerCase() : value;
  }

  override eq(r: unknown, v: string | number | boolean | null): boolean {
    return super.eq(this.fold(r), this.fold(v) as typeof v);
  }
  override ne(r: unknown, v: string | number | boolean | null): boolean {
    return super.ne(this.fold(r), this.fold(v) as typeof v);
  }
  override co(r: unknown, v: string | number | boolean | null): boolean {
    return super.co(this.fold(r), this.fold(v) as typeof v);
  }
  override sw(r: unknown, v: string | number | boolean | null): boolean {
    return super.sw(this.fold(r), this.fold(v) as typeof v);
  }
  override ew(r: unknown, v: string | number | boolean | null): boolean {
    return super.ew(this.fold(r), this.fold(v) as typeof v);
  }
}

/** Strips the schema URN from every attribute path of a filter, so `urn:...:User:userName` reads as `userName`. */
function withoutUrns(schema: ScimSchema, f: Filter): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map((c) => withoutUrns(schema, c)) };
    case 'not':
      return { ...f, filter: withoutUrns(schema, f.filter) };
    case '[]':
      return { ...f, attrPath: stripSchemaUrn(schema, f.attrPath), valFilter: withoutUrns(schema, f.valFilter) };
    default:
      return { ...f, attrPath: stripSchemaUrn(schema, f.attrPath) };
  }
}

export interface ScimFilter {
  filter: Filter;
  matches(resource: ScimObject): boolean;
}

/** Parses a filter (RFC 7644 section 3.4.2.2); a malformed one is `400 invalidFilter`. */
export function parseScimFilter(schema: ScimSchema, text: string): ScimFilter {
  if (text.length > 4096) throw scimInvalidFilter('the filter is longer than 4096 characters');
  let filter: Filter;
  try {
    filter = withoutUrns(schema, parse(text));
  } catch (error) {
    if (error instanceof Error && 'scimType' in error) throw error;
    throw scimInvalidFilter(`the filter could not be parsed: ${(error as Error).message}`);
  }
  const tester = new ScimTester();
  return { filter, matches: (resource) => tester.test(resource, filter) };
}

/** A filter for one element of a multi-valued attribute, as PATCH paths use (`emails[type eq "work"]`). */
export function parseValueFilter(text: string): (element: unknown) => boolean {
  let filter: Filter;
  try {
    filter = parse(text);
  } catch (error) {
    throw scimInvalidFilter(`the value filter could not be parsed: ${(error as Error).message}`);
  }
  const tester = new ScimTester();
  return (element) => tester.test(element, filter);
}

/**
 * The indexed lookups an identity provider makes (`userName eq "..."`, `externalId eq "..."`, `id eq "..."`,
 * `displayName eq "..."`), alone or inside an `and`, narrow the rows read; the whole filter is then evaluated on
 * them. `nameAttribute` is the attribute stored in the indexed name column (userName or displayName).
 */
export function narrowing(filter: Filter | undefined, nameAttribute: string): ScimNarrowing {
  if (!filter) return {};
  const terms = filter.op === 'and' ? filter.filters : [filter];
  const out: ScimNarrowing = {};
  for (const term of terms) {
    if (term.op !== 'eq' || typeof term.compValue !== 'string') continue;
    const path = term.attrPath.toLowerCase();
    if (path === nameAttribute.toLowerCase()) out.name = term.compValue;
    else if (path === 'externalid') out.externalId = term.compValue;
    else if (path === 'id') out.id = term.compValue;
  }
  return out;
}
