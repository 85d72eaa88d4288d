import { Injectable, Logger } from '@nestjs/common';
import {
  execute,
  GraphQLError,
  NoUnusedVariablesRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from 'graphql';
import { AppError } from '../../common/errors/app-error';
import { ArtifactEditsResolvers } from './artifact-edits.resolvers';
import { ArtifactLinksResolvers } from './artifact-links.resolvers';
import { ArtifactReadsResolvers } from './artifact-reads.resolvers';
import { ArtifactsResolvers } from './artifacts.resolvers';
import { FilesResolvers } from './files.resolvers';
import type { GraphqlContext } from './graphql-context';
import { PublicRunsResolvers } from './public-runs.resolvers';
import { RunsResolvers } from './runs.resolvers';
import { wandbSchema } from './schema.graphql';
import { ViewerResolvers } from './viewer.resolvers';

/** Payload limits: a query document's length and tokens (the body itself is limited by the JSON parser). */
export const GRAPHQL_LIMITS = { queryLength: 100_000, tokens: 5_000 } as const;

/**
 * The standard rules but one: older clients (0.22) drop the fields our schema lacks from their
 * fragments, and with them the only use of `$includeAliases`; W&B's server tolerates that.
 */
const RULES = specifiedRules.filter((rule) => rule !== NoUnusedVariablesRule);

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** A GraphQL answer and the HTTP status to send it with: 401 for a refused key, 200 otherwise. */
export interface GraphqlAnswer {
  status: number;
  body: ExecutionResult;
}

/**
 * Executes W&B's operations against the served schema. Errors thrown by the
 * resolvers (AppErrors: not found, forbidden, bad input) become GraphQL
 * errors with their code; anything unexpected is logged and answered as an
 * internal error, without detail.
 */
@Injectable()
export class GraphqlService {
  private readonly logger = new Logger('WandbGraphql');
  private readonly rootValue: Record<string, unknown>;
  private readonly documents = new Map<string, DocumentNode>();

  constructor(
    viewer: ViewerResolvers,
    runs: RunsResolvers,
    files: FilesResolvers,
    artifacts: ArtifactsResolvers,
    artifactReads: ArtifactReadsResolvers,
    artifactEdits: ArtifactEditsResolvers,
    publicRuns: PublicRunsResolvers,
    artifactLinks: ArtifactLinksResolvers,
  ) {
    this.rootValue = {
      ...viewer.root(),
      ...runs.root(),
      ...files.root(),
      ...artifacts.root(),
      ...artifactReads.root(),
      ...artifactEdits.root(),
      ...publicRuns.root(),
      ...artifactLinks.root(),
    };
  }

  async run(request: GraphqlRequest, context: GraphqlContext): Promise<GraphqlAnswer> {
    if (typeof request.query !== 'string' || !request.query) return failure('a query is required');
    if (request.query.length > GRAPHQL_LIMITS.queryLength)
      return failure(`queries are limited to ${GRAPHQL_LIMITS.queryLength} characters`);
    const variables = request.variables ?? {};
    if (typeof variables !== 'object' || Array.isArray(variables)) return failure('variables must be an object');
    // Some documents come with `operationName: ""` (ArtifactType): that names no operation.
    const operationName = typeof request.operationName === 'string' && request.operationName ? request.operationName : undefined;

    let document = this.documents.get(request.query);
    if (!document) {
      try {
        document = parse(request.query, { maxTokens: GRAPHQL_LIMITS.tokens });
      } catch (error) {
        return { status: 200, body: { errors: [error instanceof GraphQLError ? error : new GraphQLError('query does not parse')] } };
      }
      const problems = validate(wandbSchema, document, RULES);
      if (problems.length) {
        this.logger.warn({ operationName, problems: problems.map((p) => p.message) }, 'W&B operation not served');
        return { status: 200, body: { errors: problems } };
      }
      // The client sends the same few documents over and over: parse and validate each once.
      if (this.documents.size < 500) this.documents.set(request.query, document);
    }
    const result = await execute({
      schema: wandbSchema,
      document,
      rootValue: this.rootValue,
      contextValue: context,
      variableValues: variables as Record<string, unknown>,
      operationName,
    });
    let status = 200;
    const errors = result.errors?.map((error) => {
      const original = error.originalError;
      if (original instanceof AppError) {
        if (original.status === 401) status = 401;
        return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { code: original.code } });
      }
      if (original && !(original instanceof GraphQLError)) {
        this.logger.error({ err: original, operationName, requestId: context.caller.requestId }, 'W&B operation failed');
        return new GraphQLError('internal error', { path: error.path, extensions: { code: 'internal' } });
      }
      return error;
    });
    return { status, body: errors ? { ...result, errors } : result };
  }
}

function failure(message: string): GraphqlAnswer {
  return { status: 400, body: { errors: [new GraphQLError(message)] } };
}
