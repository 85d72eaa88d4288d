import { Injectable } from '@nestjs/common';
import type { PutReadmeRequest, Readme, ReadmeDiff, ReadmeHistory, ReadmeTarget } from '@trackbase/contracts';
import { diffLines } from 'diff';
import { ArtifactsService } from '../artifacts/artifacts.service';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { RunsRepository } from '../runs/runs.repository';
import { readmeConflict } from './readmes.errors';
import { ReadmesRepository, type ReadmeTargetRef, type ReadmeVersionRow } from './readmes.repository';

const author = (row: Pick<ReadmeVersionRow, 'author_id' | 'author_name'>) => ({
  id: row.author_id,
  name: row.author_name ?? 'deleted user',
});

function toReadme(row: ReadmeVersionRow | null): Readme {
  if (!row) return { version: 0, body: '', author: null, createdAt: null };
  return { version: row.version, body: row.body, author: author(row), createdAt: row.created_at.toISOString() };
}

/** READMEs of a project, a run or an artifact: Markdown, every save a version (who, when), diffs between any two. */
@Injectable()
export class ReadmesService {
  constructor(
    private readonly readmes: ReadmesRepository,
    private readonly runs: RunsRepository,
    private readonly artifacts: ArtifactsService,
  ) {}

  /** The run or artifact named in the path, within the request's project (404 otherwise). */
  async target(ctx: RequestContext, kind: ReadmeTarget, ref?: string): Promise<ReadmeTargetRef> {
    if (kind === 'run') return { runId: (await this.runs.find(ctx, ref!)).id, artifactId: null };
    if (kind === 'artifact') return { runId: null, artifactId: (await this.artifacts.get(ctx, ref!)).id };
    return { runId: null, artifactId: null };
  }

  async get(ctx: RequestContext, target: ReadmeTargetRef): Promise<Readme> {
    return toReadme(await this.readmes.current(ctx, target));
  }

  /**
   * Saves a new version. The same text as the current one creates nothing
   * (a retried save is answered with the version it made); an edit begun
   * from an older version than the current is refused instead of overwriting.
   */
  async put(ctx: RequestContext, target: ReadmeTargetRef, request: PutReadmeRequest): Promise<Readme> {
    await this.readmes.lock(ctx, target);
    const current = await this.readmes.current(ctx, target);
    const at = current?.version ?? 0;
    if ((current?.body ?? '') === request.body) return toReadme(current);
    if (request.baseVersion !== undefined && request.baseVersion !== at) throw readmeConflict(at);
    await this.readmes.insert(ctx, target, at + 1, request.body);
    return toReadme(await this.readmes.current(ctx, target));
  }

  async history(ctx: RequestContext, target: ReadmeTargetRef): Promise<ReadmeHistory> {
    const rows = await this.readmes.history(ctx, target);
    return {
      items: rows.map((r) => ({ version: r.version, author: author(r), createdAt: r.created_at.toISOString(), length: r.length })),
    };
  }

  async version(ctx: RequestContext, target: ReadmeTargetRef, version: number): Promise<Readme> {
    const row = await this.readmes.version(ctx, target, version);
    if (!row) throw notFound('README version');
    return toReadme(row);
  }

  async diff(ctx: RequestContext, target: ReadmeTargetRef, from: number, to: number): Promise<ReadmeDiff> {
    const text = async (version: number) => {
      if (version === 0) return '';
      const row = await this.readmes.version(ctx, target, version);
      if (!row) throw notFound('README version');
      return row.body;
    };
    const [before, after] = [await text(from), await text(to)];
    const lines: ReadmeDiff['lines'] = [];
    for (const part of diffLines(before, after)) {
      const op = part.added ? 'add' : part.removed ? 'remove' : 'same';
      for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push({ op, text: line });
    }
    return {
      from,
      to,
      lines,
      added: lines.filter((l) => l.op === 'add').length,
      removed: lines.filter((l) => l.op === 'remove').length,
    };
  }
}
