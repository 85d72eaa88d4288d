import type { ScimObject, ScimSchema } from './scim-attributes';
import { MAX_COUNT } from './scim-list';
import { GROUP_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, USER_SCHEMA } from './scim-schemas';

export const ALL_SCHEMAS: ScimSchema[] = [USER_SCHEMA, GROUP_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA];

/** What this server supports (RFC 7643 section 5): PATCH and filters, no bulk, sorting, ETags or password changes. */
export function serviceProviderConfig(baseUrl: string): ScimObject {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA.id],
    documentationUri: 'https://github.com/trackbase/trackbase/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: "A SCIM token created by an owner in the organization's settings, sent as Authorization: Bearer tbscim_...",
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): ScimObject[] {
  return [
    { id: 'User', name: 'User', endpoint: '/Users', description: 'People of the organization', schema: USER_SCHEMA.id },
    { id: 'Group', name: 'Group', endpoint: '/Groups', description: "The identity provider's groups", schema: GROUP_SCHEMA.id },
  ].map((type) => ({
    schemas: [RESOURCE_TYPE_SCHEMA.id],
    ...type,
    schemaExtensions: [],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.id}` },
  }));
}

export function schemaResource(schema: ScimSchema, baseUrl: string): ScimObject {
  return { ...schema, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` } };
}
