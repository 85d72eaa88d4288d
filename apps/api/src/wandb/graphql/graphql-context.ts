import type { OrgScope, RequestContext } from '../../common/context/request-context';
import type { WandbCaller } from '../wandb-scope.service';

/** What every resolver gets: the authenticated caller (API key, request id, origin for URLs). */
export interface GraphqlContext {
  caller: WandbCaller;
}

/** W&B's entity is a Trackbase organization, named by its slug. */
export function entityOf(org: Pick<OrgScope, 'id' | 'slug'>) {
  return {
    id: org.id,
    name: org.slug,
    isTeam: true,
    xxhashDigestsEnabled: false,
    organization: {
      id: org.id,
      name: org.slug,
      coreWeaveOrganizationId: null,
      orgEntity: { id: org.id, name: org.slug },
      featureFlags: [],
    },
  };
}

/** A project as W&B's `Project` (its slug is the name). */
export function projectOf(ctx: RequestContext) {
  return {
    id: ctx.currentProject.id,
    internalId: ctx.currentProject.id,
    name: ctx.currentProject.slug,
    entityName: ctx.organization.slug,
    entity: entityOf(ctx.organization),
  };
}

export type Resolver<A = Record<string, unknown>> = (args: A, context: GraphqlContext) => unknown;
