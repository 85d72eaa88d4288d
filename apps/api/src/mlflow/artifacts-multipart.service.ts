import { Inject, Injectable } from '@nestjs/common';
import { ProjectPermission } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { absoluteUrl } from '../storage/absolute-url';
import { contentTypeOf } from '../storage/content-type';
import { normalizeFilePath } from '../storage/object-keys';
import { TokenSigner } from '../storage/signed-token';
import { StagingService } from '../storage/staging.service';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { MlflowArtifactsService, type StagedFile } from './artifacts.service';
import { doesNotExist, invalidParameter } from './mlflow.errors';

/** What an MLflow multipart `upload_id` stands for; it is signed, so the client cannot point it elsewhere. */
interface UploadGrant extends StagedFile {
  org: string;
  /** The store's own multipart upload id. */
  upload: string;
}

/** S3 keeps presigned URLs for at most seven days. */
const MAX_URL_SECONDS = 7 * 86_400;

/** The artifact path's directory joined with the base name of the client's local file, as MLflow's server names the artifact. */
function artifactPathOf(rawPath: string, localFile: string): string {
  const name = localFile.split(/[\\/]/).filter(Boolean).pop();
  if (!name) throw invalidParameter(`'${localFile}' names no file`);
  return `${rawPath.replace(/\/+$/, '')}/${name}`;
}

/**
 * The proxy's multipart upload (`MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`), on either storage driver.
 * `create` starts a multipart upload of the store at a staging key of the run and hands out one
 * presigned URL per part (the client PUTs the parts there itself, without our credentials);
 * `complete` assembles them, reads the object back for its SHA-256 and makes it the run file,
 * exactly as a proxied PUT would; `abort` discards the parts. The `upload_id` is a signed grant
 * for one file of one run of one organization: presented anywhere else it names no upload.
 */
@Injectable()
export class MlflowMultipartService {
  private readonly signer: TokenSigner;

  constructor(
    private readonly artifacts: MlflowArtifactsService,
    private readonly staging: StagingService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.signer = new TokenSigner(config.JWT_SECRET, 'mlflow-multipart-uploads');
  }

  private get lifetime(): number {
    return Math.min(this.config.UPLOAD_EXPIRY_SECONDS, MAX_URL_SECONDS);
  }

  async create(ctx: RequestContext, rawPath: string, input: { path: string; num_parts: number }) {
    const filePath = artifactPathOf(rawPath, input.path);
    const { ctx: scoped, runId, path } = await this.artifacts.locate(ctx, filePath, ProjectPermission.ArtifactsWrite);
    const normalized = normalizeFilePath(path);
    const contentType = contentTypeOf(normalized);
    const key = this.staging.keyFor(scoped, runId);
    const upload = await this.driver.createMultipart(key, contentType);
    await this.staging.schedule(scoped, key, upload);
    const credentials = await Promise.all(
      Array.from({ length: input.num_parts }, async (_, i) => {
        const request = await this.driver.presignPart(key, upload, i + 1, { expiresIn: this.lifetime });
        return { url: absoluteUrl(ctx.origin, request.url), part_number: i + 1, headers: request.headers };
      }),
    );
    const grant: UploadGrant = { org: ctx.organization.id, runId, path: normalized, key, upload, contentType };
    return { upload_id: this.signer.sign(grant, this.lifetime), credentials };
  }

  /** Runs without the request's transaction: assembling and hashing a large file takes a while. */
  async complete(
    ctx: RequestContext,
    rawPath: string,
    input: { path: string; upload_id: string; parts: Array<{ part_number: number; etag?: string | null }> },
  ) {
    const filePath = artifactPathOf(rawPath, input.path);
    const grant = await this.artifacts.transaction(ctx, (c) => this.grantFor(c, filePath, input.upload_id));
    const numbers = new Set(input.parts.map((p) => p.part_number));
    if (numbers.size !== input.parts.length) throw invalidParameter('each part may be listed once');
    await storeCall(() =>
      this.driver.completeMultipart(
        grant.key,
        grant.upload,
        input.parts.map((p) => ({ partNumber: p.part_number, etag: p.etag ?? '' })),
      ),
    );
    const content = await this.staging.digest(grant.key);
    await this.artifacts.adopt(ctx, filePath, grant, content);
    return {};
  }

  async abort(ctx: RequestContext, rawPath: string, input: { path: string; upload_id: string }) {
    const grant = await this.grantFor(ctx, artifactPathOf(rawPath, input.path), input.upload_id);
    await this.staging.discard(grant.key, grant.upload);
    return {};
  }

  /** The upload `uploadId` grants, if it is for this file of this run in this organization (with write access checked). */
  private async grantFor(ctx: RequestContext, filePath: string, uploadId: string): Promise<UploadGrant> {
    const { runId, path } = await this.artifacts.locate(ctx, filePath, ProjectPermission.ArtifactsWrite);
    let grant: UploadGrant;
    try {
      grant = this.signer.verify<UploadGrant>(uploadId);
    } catch {
      throw doesNotExist(`no multipart upload ${uploadId.slice(0, 40)} is in progress for ${filePath}`);
    }
    if (grant.org !== ctx.organization.id || grant.runId !== runId || grant.path !== normalizeFilePath(path)) {
      throw doesNotExist(`no multipart upload ${uploadId.slice(0, 40)} is in progress for ${filePath}`);
    }
    return grant;
  }
}

/** The store's refusals (a part missing or not matching its ETag, an upload gone) are the client's to fix: 400 or 404, never 5xx. */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error.status === 404 ? doesNotExist(error.message) : error;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw doesNotExist(`the multipart upload is not in progress: ${(error as Error).message}`);
    if (status && status >= 400 && status < 500)
      throw invalidParameter(`the store refused to assemble the parts: ${(error as Error).message}`);
    throw error;
  }
}
