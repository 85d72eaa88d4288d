import { Injectable } from '@nestjs/common';
import { artifactNameSchema, ProjectPermission, type ArtifactDetail, type ArtifactVersion } from '@trackbase/contracts';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { ArtifactVersionsService } from '../artifacts/artifact-versions.service';
import { matchesClause } from './filter/experiment-filter';
import { parseMlflowFilter } from './filter/mlflow-filter';
import { LoggedModelsService } from './logged-models.service';
import { alreadyExists, doesNotExist, invalidParameter } from './mlflow.errors';
import { MlflowScopeService } from './mlflow-scope.service';
import { RegistryRepository, type RegisteredModelRow, type VersionStateRow } from './registry.repository';
import { artifactUri } from './mlflow-wire';

type KeyValue = { key: string; value?: string | null };
const KIND = 'model';
/** MLflow 2.x's model version stages; its server takes them in any case. */
const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

function canonicalStage(stage: string): string {
  const found = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`);
  return found;
}

const numberOf = (v: ArtifactVersion) => Number((v.version ?? '').replace(/^v/, ''));

/**
 * MLflow's model registry on Trackbase artifacts: a registered model is an
 * artifact of kind model in the organization's default project, a model
 * version one of its versions (a reference to the model's files: the run's
 * or the logged model's artifact location), an alias an artifact alias.
 */
@Injectable()
export class RegistryService {
  constructor(
    private readonly repo: RegistryRepository,
    private readonly scope: MlflowScopeService,
    private readonly artifacts: ArtifactsService,
    private readonly versions: ArtifactVersionsService,
    private readonly models: LoggedModelsService,
  ) {}

  /** The registry's project (the default one) with `permission` checked. */
  private async home(ctx: RequestContext, permission: ProjectPermission): Promise<RequestContext> {
    const row = await this.scope.defaultProject(ctx);
    return this.scope.check(ctx, row, permission, 'registered model not found');
  }

  private checkName(name: string): void {
    if (!artifactNameSchema.safeParse(name).success)
      throw invalidParameter(
        `Registered model name '${name}' is not supported: letters, digits, dot, dash and underscore, starting with a letter or digit`,
      );
  }

  private async detail(scoped: RequestContext, name: string): Promise<ArtifactDetail | null> {
    try {
      return await this.artifacts.get(scoped, name);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  }

  private async registered(scoped: RequestContext, name: string): Promise<RegisteredModelRow> {
    const row = await this.repo.find(scoped, name);
    if (!row) throw doesNotExist(`Registered Model with name=${name} not found`);
    return row;
  }

  toModelVersion(name: string, v: ArtifactVersion, state?: VersionStateRow) {
    const meta = ((v.metadata as Record<string, unknown>).mlflow ?? {}) as Record<string, string | undefined>;
    return {
      name,
      version: String(numberOf(v)),
      creation_timestamp: Date.parse(v.createdAt),
      last_updated_timestamp: state ? new Date(state.updated_at).getTime() : Date.parse(v.createdAt),
      current_stage: state?.stage ?? 'None',
      description: state?.description ?? v.description,
      source: meta.source ?? '',
      ...(meta.run_id ? { run_id: meta.run_id } : {}),
      ...(meta.model_id ? { model_id: meta.model_id } : {}),
      status: 'READY',
      tags: Object.entries(state?.tags ?? {}).map(([key, value]) => ({ key, value })),
      aliases: v.aliases.filter((a) => a !== 'latest'),
    };
  }

  toRegisteredModel(row: RegisteredModelRow, detail: ArtifactDetail | null, states = new Map<number, VersionStateRow>()) {
    return {
      name: row.name,
      creation_timestamp: new Date(row.created_at).getTime(),
      last_updated_timestamp: new Date(row.updated_at).getTime(),
      description: row.description,
      latest_versions: this.latestPerStage(row.name, detail, states),
      tags: Object.entries(row.tags).map(([key, value]) => ({ key, value })),
      aliases: Object.entries(detail?.aliases ?? {})
        .filter(([alias]) => alias !== 'latest')
        .map(([alias, version]) => ({ alias, version: version.replace(/^v/, '') })),
    };
  }

  /** The newest version in each of `stages` (all four when none are named), as MLflow's get-latest-versions answers. */
  private latestPerStage(name: string, detail: ArtifactDetail | null, states: Map<number, VersionStateRow>, stages?: string[]) {
    const wanted = stages?.length ? stages.map(canonicalStage) : [...STAGES];
    const newest = new Map<string, ArtifactVersion>();
    for (const v of detail?.versions ?? []) {
      const stage = states.get(numberOf(v))?.stage ?? 'None';
      const seen = newest.get(stage);
      if (wanted.includes(stage) && (!seen || numberOf(v) > numberOf(seen))) newest.set(stage, v);
    }
    return [...newest.values()].sort((a, b) => numberOf(a) - numberOf(b)).map((v) => this.toModelVersion(name, v, states.get(numberOf(v))));
  }

  async createRegisteredModel(ctx: RequestContext, input: { name: string; description?: string; tags?: KeyValue[] }) {
    this.checkName(input.name);
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsWrite);
    const tags = Object.fromEntries((input.tags ?? []).map((t) => [t.key, t.value ?? '']));
    const row = await this.repo.insert(scoped, input.name, input.description ?? '', tags);
    if (!row) throw alreadyExists(`Registered Model (name=${input.name}) already exists.`);
    return { registered_model: this.toRegisteredModel(row, null) };
  }

  async getRegisteredModel(ctx: RequestContext, name: string) {
    const scoped = await this.home(ctx, ProjectPermission.Read);
    const row = await this.registered(scoped, name);
    return { registered_model: this.toRegisteredModel(row, await this.detail(scoped, name), await this.repo.versionStates(scoped, name)) };
  }

  async renameRegisteredModel(ctx: RequestContext, name: string, newName: string) {
    this.checkName(newName);
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsManage);
    await this.registered(scoped, name);
    const taken = () => alreadyExists(`Registered Model (name=${newName}) already exists.`);
    // The versions' stages and tags follow by the foreign key's ON UPDATE CASCADE.
    if (!(await this.repo.rename(scoped, name, newName))) throw taken();
    if ((await this.detail(scoped, name)) && !(await this.versions.renameArtifact(scoped, name, newName))) throw taken();
    return this.getRegisteredModel(ctx, newName);
  }

  async updateRegisteredModel(ctx: RequestContext, name: string, set: { description?: string; tags?: KeyValue[]; removeTag?: string }) {
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsWrite);
    await this.registered(scoped, name);
    await this.repo.update(scoped, name, {
      description: set.description,
      tags: set.tags && Object.fromEntries(set.tags.map((t) => [t.key, t.value ?? ''])),
      removeTag: set.removeTag,
    });
    return this.getRegisteredModel(ctx, name);
  }

  async deleteRegisteredModel(ctx: RequestContext, name: string) {
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsManage);
    await this.registered(scoped, name);
    if (await this.detail(scoped, name)) await this.versions.deleteArtifact(scoped, name);
    await this.repo.delete(scoped, name);
    return {};
  }

  async searchRegisteredModels(ctx: RequestContext, q: { filter?: string; max_results?: number }) {
    const scoped = await this.home(ctx, ProjectPermission.Read);
    const clauses = parseMlflowFilter(q.filter ?? '');
    const rows = (await this.repo.list(scoped)).filter((r) =>
      clauses.every((c) => matchesClause(c.entity === 'tag' ? r.tags[c.key] : c.key === 'name' ? r.name : undefined, c)),
    );
    const out = [];
    for (const r of rows.slice(0, q.max_results ?? 100))
      out.push(this.toRegisteredModel(r, await this.detail(scoped, r.name), await this.repo.versionStates(scoped, r.name)));
    return { registered_models: out };
  }

  /** `runs:/<run>/<path>`, `models:/m-<id>` or an artifact URI: where the version's files are, and the run that made them. */
  private async resolveSource(ctx: RequestContext, source: string, runId?: string, modelId?: string) {
    const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
    if (runs) {
      const { row } = await this.scope.run(ctx, runs[1], ProjectPermission.Read);
      const base = artifactUri(this.scope.experimentIdOf(row), row.run_id);
      return { location: runs[2] ? `${base}/${runs[2]}` : base, runId: row.run_id, modelId };
    }
    const logged = /^models:\/(m-[0-9a-f]+)$/.exec(source);
    if (logged || modelId) {
      const { model, row } = await this.models.resolve(ctx, logged?.[1] ?? modelId!, ProjectPermission.Read);
      return {
        location: `mlflow-artifacts:/${this.scope.experimentIdOf(row)}/models/${model.id}/artifacts`,
        runId: runId ?? model.source_run_id ?? undefined,
        modelId: model.id,
      };
    }
    if (/^mlflow-artifacts:\//.test(source)) return { location: source, runId, modelId };
    throw invalidParameter(`model version source '${source}' is not one Trackbase stores (runs:/, models:/m-…, mlflow-artifacts:/)`);
  }

  async createModelVersion(
    ctx: RequestContext,
    input: { name: string; source: string; run_id?: string; model_id?: string; description?: string },
  ) {
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsWrite);
    await this.registered(scoped, input.name);
    const target = await this.resolveSource(ctx, input.source, input.run_id, input.model_id);
    const { version } = await this.versions.create(scoped, input.name, {
      kind: KIND,
      description: input.description,
      reference: {
        // Artifact references are URIs with an authority; the MLflow form is kept in the metadata.
        uri: target.location.replace(/^mlflow-artifacts:\//, 'mlflow-artifacts://'),
        digest: `sha256:${createHash('sha256').update(input.source).digest('hex')}`,
      },
      metadata: { mlflow: { source: input.source, location: target.location, run_id: target.runId, model_id: target.modelId } },
    });
    return { model_version: this.toModelVersion(input.name, version) };
  }

  private async versionOf(ctx: RequestContext, name: string, ref: string, permission: ProjectPermission = ProjectPermission.Read) {
    const scoped = await this.home(ctx, permission);
    await this.registered(scoped, name);
    try {
      return { scoped, version: await this.artifacts.version(scoped, name, ref) };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) throw doesNotExist(`Model Version (name=${name}, version=${ref}) not found`);
      throw error;
    }
  }

  async getModelVersion(ctx: RequestContext, name: string, version: string) {
    const { scoped, version: v } = await this.versionOf(ctx, name, `v${version}`);
    return { model_version: await this.withState(scoped, name, v) };
  }

  private async withState(scoped: RequestContext, name: string, v: ArtifactVersion) {
    return this.toModelVersion(name, v, (await this.repo.versionStates(scoped, name)).get(numberOf(v)));
  }

  /** Description, stage or tags of one version, then the version as MLflow answers it. */
  async changeModelVersion(
    ctx: RequestContext,
    name: string,
    version: string,
    change: { description?: string; stage?: string; archiveExisting?: boolean; tags?: KeyValue[]; removeTag?: string },
  ) {
    const { scoped, version: v } = await this.versionOf(ctx, name, `v${version}`, ProjectPermission.ArtifactsWrite);
    const stage = change.stage === undefined ? undefined : canonicalStage(change.stage);
    await this.repo.changeVersion(scoped, name, numberOf(v), {
      stage,
      description: change.description,
      tags: change.tags && Object.fromEntries(change.tags.map((t) => [t.key, t.value ?? ''])),
      removeTag: change.removeTag,
    });
    if (stage && change.archiveExisting && (stage === 'Staging' || stage === 'Production')) {
      await this.repo.archiveOthers(scoped, name, stage, numberOf(v));
    }
    return { model_version: await this.withState(scoped, name, v) };
  }

  async downloadUri(ctx: RequestContext, name: string, version: string) {
    const { version: v } = await this.versionOf(ctx, name, `v${version}`);
    const meta = ((v.metadata as Record<string, unknown>).mlflow ?? {}) as { location?: string };
    return { artifact_uri: meta.location ?? '' };
  }

  async byAlias(ctx: RequestContext, name: string, alias: string) {
    const { scoped, version: v } = await this.versionOf(ctx, name, alias);
    return { model_version: await this.withState(scoped, name, v) };
  }

  async setAlias(ctx: RequestContext, name: string, alias: string, version: string) {
    const { scoped } = await this.versionOf(ctx, name, `v${version}`, ProjectPermission.ArtifactsManage);
    await this.versions.setAlias(scoped, name, alias, `v${version}`);
    return {};
  }

  async deleteAlias(ctx: RequestContext, name: string, alias: string) {
    const scoped = await this.home(ctx, ProjectPermission.ArtifactsManage);
    await this.registered(scoped, name);
    try {
      await this.versions.deleteAlias(scoped, name, alias);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) throw doesNotExist(`alias ${alias} of ${name} not found`);
      throw error;
    }
    return {};
  }

  async deleteModelVersion(ctx: RequestContext, name: string, version: string) {
    const { scoped } = await this.versionOf(ctx, name, `v${version}`, ProjectPermission.ArtifactsManage);
    await this.versions.deleteVersion(scoped, name, `v${version}`);
    await this.repo.forgetVersion(scoped, name, Number(version));
    return {};
  }

  async searchModelVersions(ctx: RequestContext, q: { filter?: string; max_results?: number }) {
    const scoped = await this.home(ctx, ProjectPermission.Read);
    const clauses = parseMlflowFilter(q.filter ?? '');
    const out = [];
    for (const r of await this.repo.list(scoped)) {
      const states = await this.repo.versionStates(scoped, r.name);
      for (const v of (await this.detail(scoped, r.name))?.versions ?? []) {
        const mv = this.toModelVersion(r.name, v, states.get(numberOf(v)));
        const field = (key: string) => ({ name: mv.name, version: mv.version, run_id: mv.run_id, source: mv.source })[key];
        if (clauses.every((c) => matchesClause(c.entity === 'attribute' ? field(c.key) : undefined, c))) out.push(mv);
      }
    }
    return { model_versions: out.slice(0, q.max_results ?? 10_000) };
  }

  async latestVersions(ctx: RequestContext, name: string, stages?: string[]) {
    const scoped = await this.home(ctx, ProjectPermission.Read);
    await this.registered(scoped, name);
    const states = await this.repo.versionStates(scoped, name);
    return { model_versions: this.latestPerStage(name, await this.detail(scoped, name), states, stages) };
  }
}
