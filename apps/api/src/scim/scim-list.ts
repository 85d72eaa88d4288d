import { projectResource, type ScimObject, type ScimSchema } from './scim-attributes';
import { parseScimFilter, type ScimFilter } from './scim-filter';
import { scimInvalidValue } from './scim.errors';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** The page size when the client names none, and the most one page holds (ServiceProviderConfig `filter.maxResults`). */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 200;

/** A list request, from query parameters (`GET`) or a search body (`POST .search`) alike. */
export interface ScimListRequest {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface ScimListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimObject[];
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,9}$/.test(value.trim())) throw scimInvalidValue(`${name} must be an integer`);
  return Number(value);
}

function names(value: string | undefined): string[] | undefined {
  const list = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list?.length ? list : undefined;
}

export function listRequestFromQuery(query: {
  filter?: string;
  startIndex?: string;
  count?: string;
  attributes?: string;
  excludedAttributes?: string;
}): ScimListRequest {
  return {
    filter: query.filter,
    startIndex: integer(query.startIndex, 'startIndex'),
    count: integer(query.count, 'count'),
    attributes: names(query.attributes),
    excludedAttributes: names(query.excludedAttributes),
  };
}

export function parseListFilter(schema: ScimSchema, request: ScimListRequest): ScimFilter | undefined {
  return request.filter?.trim() ? parseScimFilter(schema, request.filter) : undefined;
}

/** One page of the resources that match (RFC 7644 section 3.4.2.4: startIndex is 1-based, count 0 asks only for the total). */
export function page(resources: Array<{ schema: ScimSchema; resource: ScimObject }>, request: ScimListRequest): ScimListResponse {
  const startIndex = Math.max(1, request.startIndex ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, request.count ?? DEFAULT_COUNT));
  const slice = resources.slice(startIndex - 1, startIndex - 1 + count);
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex,
    itemsPerPage: slice.length,
    Resources: slice.map(({ schema, resource }) => projectResource(schema, resource, request.attributes, request.excludedAttributes)),
  };
}
