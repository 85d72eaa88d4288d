import { All, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { ScimErrorFilter } from './scim-error.filter';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ScimRoutes, Scim, type ScimRequest } from './scim-access';
import { ALL_SCHEMAS, resourceTypes, schemaResource, serviceProviderConfig } from './scim-discovery';
import { projectResource, type ScimObject, type ScimSchema } from './scim-attributes';
import { listRequestFromQuery, page, type ScimListRequest } from './scim-list';
import { GROUP_SCHEMA, USER_SCHEMA } from './scim-schemas';
import { ScimGroupsService } from './scim-groups.service';
import { ScimUsersService } from './scim-users.service';
import { scimMethodNotAllowed, scimNotFound } from './scim.errors';
import { ScimIdParamsDto, ScimListQueryDto, ScimPatchBodyDto, ScimResourceBodyDto, ScimSearchBodyDto } from './dto/scim.dto';

function projectOne(schema: ScimSchema, resource: ScimObject, request: ScimListRequest): ScimObject {
  return projectResource(schema, resource, request.attributes, request.excludedAttributes);
}

function created(response: Response, resource: { meta?: unknown }): unknown {
  const location = (resource.meta as { location?: string } | undefined)?.location;
  if (location) response.setHeader('Location', location);
  return resource;
}

/** Discovery (RFC 7644 section 4): what this server serves. Only GET; other methods are 405. */
@ApiExcludeController()
@ScimRoutes()
@Controller('scim/v2/:org')
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Scim() s: ScimRequest) {
    return serviceProviderConfig(s.scope.baseUrl);
  }

  @All('ServiceProviderConfig')
  serviceProviderConfigOther(): never {
    throw scimMethodNotAllowed();
  }

  @Get('ResourceTypes')
  resourceTypes(@Scim() s: ScimRequest) {
    const types = resourceTypes(s.scope.baseUrl);
    return page(
      types.map((resource) => ({ schema: USER_SCHEMA, resource })),
      { count: types.length },
    );
  }

  @Get('ResourceTypes/:id')
  resourceType(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto) {
    const found = resourceTypes(s.scope.baseUrl).find((t) => t.id === params.id);
    if (!found) throw scimNotFound(`resource type ${params.id}`);
    return found;
  }

  @All('ResourceTypes')
  resourceTypesOther(): never {
    throw scimMethodNotAllowed();
  }

  @Get('Schemas')
  schemas(@Scim() s: ScimRequest) {
    return page(
      ALL_SCHEMAS.map((schema) => ({ schema: USER_SCHEMA, resource: schemaResource(schema, s.scope.baseUrl) })),
      { count: ALL_SCHEMAS.length },
    );
  }

  @Get('Schemas/:id')
  schema(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto) {
    const found = ALL_SCHEMAS.find((schema) => schema.id === params.id);
    if (!found) throw scimNotFound(`schema ${params.id}`);
    return schemaResource(found, s.scope.baseUrl);
  }

  @All('Schemas')
  schemasOther(): never {
    throw scimMethodNotAllowed();
  }
}

/** The People of the organization, as its identity provider provisions them. */
@ApiExcludeController()
@ScimRoutes()
@Controller('scim/v2/:org/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Post()
  async create(@Scim() s: ScimRequest, @Body() body: ScimResourceBodyDto, @Res({ passthrough: true }) response: Response) {
    return created(response, await this.users.create(s, body));
  }

  @Get()
  list(@Scim() s: ScimRequest, @Query() query: ScimListQueryDto) {
    return this.users.list(s, listRequestFromQuery(query));
  }

  @Post('.search')
  @HttpCode(200)
  search(@Scim() s: ScimRequest, @Body() body: ScimSearchBodyDto) {
    return this.users.list(s, body);
  }

  @Get(':id')
  get(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Query() query: ScimListQueryDto) {
    return this.users.get(s, params.id).then((r) => projectOne(USER_SCHEMA, r, listRequestFromQuery(query)));
  }

  @Put(':id')
  replace(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Body() body: ScimResourceBodyDto) {
    return this.users.replace(s, params.id, body);
  }

  @Patch(':id')
  patch(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Body() body: ScimPatchBodyDto) {
    return this.users.patch(s, params.id, body.Operations);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto) {
    await this.users.delete(s, params.id);
  }
}

/** The identity provider's groups; their members' roles follow the organization's group mappings. */
@ApiExcludeController()
@ScimRoutes()
@Controller('scim/v2/:org/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Post()
  async create(@Scim() s: ScimRequest, @Body() body: ScimResourceBodyDto, @Res({ passthrough: true }) response: Response) {
    return created(response, await this.groups.create(s, body));
  }

  @Get()
  list(@Scim() s: ScimRequest, @Query() query: ScimListQueryDto) {
    return this.groups.list(s, listRequestFromQuery(query));
  }

  @Post('.search')
  @HttpCode(200)
  search(@Scim() s: ScimRequest, @Body() body: ScimSearchBodyDto) {
    return this.groups.list(s, body);
  }

  @Get(':id')
  get(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Query() query: ScimListQueryDto) {
    return this.groups.get(s, params.id).then((r) => projectOne(GROUP_SCHEMA, r, listRequestFromQuery(query)));
  }

  @Put(':id')
  replace(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Body() body: ScimResourceBodyDto) {
    return this.groups.replace(s, params.id, body);
  }

  @Patch(':id')
  patch(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto, @Body() body: ScimPatchBodyDto) {
    return this.groups.patch(s, params.id, body.Operations);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Scim() s: ScimRequest, @Param() params: ScimIdParamsDto) {
    await this.groups.delete(s, params.id);
  }
}

/** Searching Users and Groups at once (RFC 7644 section 3.4.3): the users that match, then the groups. */
@ApiExcludeController()
@ScimRoutes()
@Controller('scim/v2/:org')
export class ScimSearchController {
  constructor(
    private readonly users: ScimUsersService,
    private readonly groups: ScimGroupsService,
  ) {}

  @Post('.search')
  @HttpCode(200)
  async search(@Scim() s: ScimRequest, @Body() body: ScimSearchBodyDto) {
    // A filter is read against each resource type's schema; an attribute one of them lacks matches nothing there.
    const users = await this.users.resources(s, body);
    const groups = await this.groups.resources(s, body);
    return page(
      [...users.map((resource) => ({ schema: USER_SCHEMA, resource })), ...groups.map((resource) => ({ schema: GROUP_SCHEMA, resource }))],
      body,
    );
  }
}

/** Anything else under a SCIM base URL: a SCIM 404 (registered last). */
@ApiExcludeController()
@Controller('scim/v2/:org')
export class ScimFallbackController {
  @All('*path')
  @RequirePermission(GlobalPermission.Public)
  @UseFilters(ScimErrorFilter)
  notServed(): never {
    throw scimNotFound('this SCIM endpoint');
  }
}
