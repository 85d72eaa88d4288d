import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ArtifactVersion } from '@trackbase/contracts';
import type { Response } from 'express';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { ArtifactsService } from '../artifacts/artifacts.service';
import type { RequestContext } from '../common/context/request-context';
import type { RecordCounts } from '../runs/export/record-columns';
import { ProjectExport, ROWS_PER_BATCH } from '../runs/export/project-export.service';
import { RunsQueryService } from '../runs/runs-query.service';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { StorageRepository } from '../storage/storage.repository';

/**
 * Rows per `data/part-<n>.parquet`: each part is spooled to a temporary file (a tar entry needs its size first), so the
 * client waits for a part's rows before its first byte; four batches keep that wait to seconds.
 */
export const ROWS_PER_PART = 4 * ROWS_PER_BATCH;
const RUNS_PER_PAGE = 200;
export const EXPORT_FORMAT = { format: 'trackbase-export', version: 1 } as const;

export interface ArchiveOptions {
  filter?: string;
  files: boolean;
  artifacts: boolean;
}

type Counts = RecordCounts & { files: number; artifactVersions: number; bytes: number };

/**
 * A whole project export (docs/export-format.md) as one tar stream, laid out as `trackbase export` writes its
 * directory: the records in Parquet parts, each run's files, each committed artifact version's manifest and files,
 * then `export.json`. Nothing is held whole: a records part (at most ROWS_PER_PART rows) goes through a temporary
 * file, and every stored file flows from the store into the tar one at a time.
 */
@Injectable()
export class ExportArchive {
  private readonly logger = new Logger('ExportArchive');

  constructor(
    private readonly records: ProjectExport,
    private readonly query: RunsQueryService,
    private readonly artifacts: ArtifactsService,
    private readonly storage: StorageRepository,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
  ) {}

  async tar(ctx: RequestContext, options: ArchiveOptions, response: Response): Promise<void> {
    const counts: Counts = { runs: 0, params: 0, points: 0, textLines: 0, files: 0, artifactVersions: 0, bytes: 0 };
    // Reads the first page of runs: a bad filter is a 400 before the answer starts.
    const parts = await this.records.parts(ctx, options.filter, ROWS_PER_PART, counts);
    response.status(200);
    response.setHeader('content-type', 'application/x-tar');
    response.setHeader('content-disposition', `attachment; filename="${ctx.currentProject.slug}-export.tar"`);
    const tar = pack();
    const writing = pipeline(tar, response).catch((error) => this.logger.warn({ err: error }, 'export archive download ended early'));
    const spool = await mkdtemp(join(tmpdir(), 'trackbase-export-'));
    try {
      let index = 0;
      for await (const part of parts) {
        const path = join(spool, 'part.parquet');
        await pipeline(Readable.fromWeb(part as never), createWriteStream(path));
        const { size } = await stat(path);
        await entry(tar, `data/part-${String(index++).padStart(5, '0')}.parquet`, size, createReadStream(path));
        counts.bytes += size;
      }
      if (options.files) await this.runFiles(ctx, options.filter, tar, counts);
      if (options.artifacts) await this.artifactVersions(ctx, tar, counts);
      const manifest = {
        ...EXPORT_FORMAT,
        project: `${ctx.organization.slug}/${ctx.currentProject.slug}`,
        filter: options.filter ?? null,
        exportedAt: new Date().toISOString(),
        counts,
      };
      await entry(tar, 'export.json', null, Buffer.from(JSON.stringify(manifest, null, 2)));
      tar.finalize();
    } catch (error) {
      this.logger.warn({ err: error }, 'export archive could not be completed');
      tar.destroy(error as Error);
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
    await writing;
  }

  /** `files/<run id>/<path>` for every run the filter selects. */
  private async runFiles(ctx: RequestContext, filter: string | undefined, tar: Pack, counts: Counts): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.query.list(ctx, { filter, limit: RUNS_PER_PAGE, cursor });
      for (const run of page.items) {
        for (const file of await this.storage.archiveEntries(ctx.em, ctx.organization.id, 'run', run.id, '', null)) {
          await entry(tar, `files/${run.id}/${file.path}`, Number(file.size), await this.driver.read(file.key));
          counts.files++;
          counts.bytes += Number(file.size);
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** `artifacts/<name>/<version>/manifest.json` and `…/files/<path>` for every committed version. */
  private async artifactVersions(ctx: RequestContext, tar: Pack, counts: Counts): Promise<void> {
    for (const artifact of await this.artifacts.list(ctx)) {
      const detail = await this.artifacts.get(ctx, artifact.name);
      for (const version of detail.versions) {
        if (version.state !== 'committed' || !version.version) continue;
        const { files } = await this.artifacts.files(ctx, artifact.name, version.version);
        const available = files.filter((f) => f.state === 'available');
        const directory = `artifacts/${artifact.name}/${version.version}`;
        const manifest = versionManifest(artifact.name, detail.kind, version, available);
        await entry(tar, `${directory}/manifest.json`, null, Buffer.from(JSON.stringify(manifest, null, 2)));
        for (const file of await this.storage.archiveEntries(ctx.em, ctx.organization.id, 'version', version.id, '', null)) {
          await entry(tar, `${directory}/files/${file.path}`, Number(file.size), await this.driver.read(file.key));
          counts.bytes += Number(file.size);
        }
        counts.artifactVersions++;
      }
    }
  }
}

/** What `trackbase import trackbase` needs to log the version again (the Python CLI writes the same manifest). */
export function versionManifest(
  name: string,
  kind: string,
  version: ArtifactVersion,
  files: Array<{ path: string; size: number; sha256: string }>,
): Record<string, unknown> {
  return {
    artifact: name,
    kind: version.kind || kind,
    version: version.version,
    digest: version.digest,
    aliases: [...version.aliases].sort(),
    metadata: version.metadata,
    description: version.description,
    reference: version.reference,
    producer: version.producer?.key ?? null,
    consumers: version.consumers.map((c) => c.key),
    createdAt: version.createdAt,
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
  };
}

/** One tar entry: a buffer, or a stream of exactly `size` bytes. */
async function entry(tar: Pack, name: string, size: number | null, body: Buffer | Readable): Promise<void> {
  if (Buffer.isBuffer(body)) {
    await new Promise<void>((resolve, reject) => tar.entry({ name }, body, (error) => (error ? reject(error) : resolve())));
    return;
  }
  await pipeline(body, tar.entry({ name, size: size ?? undefined }));
}
