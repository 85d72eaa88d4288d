import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { absoluteUrl } from '../../storage/absolute-url';
import { contentTypeOf } from '../../storage/content-type';
import { normalizeFilePath } from '../../storage/object-keys';
import { TokenSigner } from '../../storage/signed-token';
import { StagingService } from '../../storage/staging.service';
import { STORAGE_DRIVER, type StorageDriver } from '../../storage/storage-driver';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import type { WandbCaller } from '../wandb-scope.service';
import type { UploadGrant } from './upload-grants';
import { WandbUploadsService } from './wandb-uploads.service';

/** One part the client announces (`uploadPartsInput`) or reports done (`completedParts`). */
export interface WandbPart {
  partNumber: number;
  hexMD5: string;
}

/** What W&B's `uploadID` stands for: one file of one artifact draft, staged at `key` in the store's multipart upload `upload`. */
interface MultipartGrant extends UploadGrant {
  org: string;
  key: string;
  upload: string;
}

const MAX_PARTS = 10_000;
/** S3 keeps presigned URLs for at most seven days. */
const MAX_URL_SECONDS = 7 * 86_400;
const HEX_MD5 = /^[0-9a-f]{32}$/;

/**
 * W&B's multipart upload of an artifact file (the client asks for it for files
 * of 2 GiB or more): CreateArtifactFiles names the parts with their MD5s, and
 * gets one presigned part URL of the store each (the store checks each part's
 * Content-MD5, and the client needs no header of ours), inside a multipart
 * upload at a staging key. CompleteMultipartUploadArtifact has the store
 * assemble the parts, reads the whole back for its SHA-256 and MD5 (which must
 * be the MD5 the client declared for the file), and makes it the draft's file
 * exactly as a single PUT would. The `uploadID` is a signed grant for that one
 * file, staging key and store upload: presented for anything else it names no upload.
 */
@Injectable()
export class WandbMultipartService {
  private readonly signer: TokenSigner;

  constructor(
    private readonly uploads: WandbUploadsService,
    private readonly staging: StagingService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.signer = new TokenSigner(config.JWT_SECRET, 'wandb-multipart-uploads');
  }

  private get lifetime(): number {
    return Math.min(this.config.UPLOAD_EXPIRY_SECONDS, MAX_URL_SECONDS);
  }

  /** Starts the store's multipart upload for `grant`'s file (in the caller's transaction, role checked) and signs its part URLs. */
  async start(ctx: RequestContext, grant: UploadGrant, announced: WandbPart[]) {
    const parts = checkParts(announced);
    const contentType = contentTypeOf(grant.path);
    // The store's upload is created first, so the clean-up scheduled with the key aborts it too.
    const key = this.uploads.newStagingKey(ctx, grant);
    const upload = await this.driver.createMultipart(key, contentType);
    await this.staging.schedule(ctx, key, upload);
    const uploadUrlParts = await Promise.all(
      parts.map(async (p) => {
        const request = await this.driver.presignPart(key, upload, p.partNumber, {
          expiresIn: this.lifetime,
          contentMd5: Buffer.from(p.hexMD5, 'hex').toString('base64'),
        });
        return { partNumber: p.partNumber, uploadUrl: absoluteUrl(ctx.origin, request.url) };
      }),
    );
    const signed: MultipartGrant = { ...grant, org: ctx.organization.id, key, upload };
    return { uploadID: this.signer.sign(signed, this.lifetime), uploadUrlParts };
  }

  /** CompleteMultipartUploadArtifact: assembles, checks and adopts the file (`Abort` discards the parts). */
  async complete(
    caller: WandbCaller,
    input: { completeMultipartAction: string; completedParts: WandbPart[]; artifactID: string; storagePath: string; uploadID: string },
  ): Promise<{ digest: string | null }> {
    const grant = this.grantFor(input);
    // Only the key's owner who started it completes it (its role is checked again when the file is adopted).
    if (caller.principal.userId !== grant.u) throw noUpload(input.uploadID);
    if (input.completeMultipartAction !== 'Complete') {
      await this.staging.discard(grant.key, grant.upload);
      return { digest: null };
    }
    const parts = checkParts(input.completedParts);
    await storeCall(() =>
      this.driver.completeMultipart(
        grant.key,
        grant.upload,
        parts.map((p) => ({ partNumber: p.partNumber, etag: p.hexMD5 })),
      ),
    );
    try {
      const body = await this.uploads.digest(grant.key);
      if (grant.md5 && body.md5 !== grant.md5) throw wandbBadRequest(`${grant.path}: the parts do not make the MD5 declared for the file`);
      await this.uploads.adopt(caller, grant, grant.key, body);
      return { digest: body.md5 };
    } catch (error) {
      await this.staging.discard(grant.key);
      throw error;
    }
  }

  private grantFor(input: { artifactID: string; storagePath: string; uploadID: string }): MultipartGrant {
    let grant: MultipartGrant;
    try {
      grant = this.signer.verify<MultipartGrant>(input.uploadID);
    } catch {
      throw noUpload(input.uploadID);
    }
    let path: string;
    try {
      path = normalizeFilePath(input.storagePath);
    } catch {
      throw noUpload(input.uploadID);
    }
    if (grant.v !== input.artifactID || grant.path !== path) throw noUpload(input.uploadID);
    return grant;
  }
}

const noUpload = (id: string) => wandbNotFound(`multipart upload ${id.slice(0, 40)}`);

/** The parts as numbers and bare lowercase hex MD5s (a reported ETag may be quoted); refused unless 1…10,000 distinct. */
function checkParts(parts: unknown): WandbPart[] {
  if (!Array.isArray(parts) || !parts.length || parts.length > MAX_PARTS)
    throw wandbBadRequest(`a multipart upload has 1 to ${MAX_PARTS} parts`);
  const seen = new Set<number>();
  return parts.map((p: { partNumber?: unknown; hexMD5?: unknown }) => {
    const partNumber = Number(p?.partNumber);
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS || seen.has(partNumber)) {
      throw wandbBadRequest(`part numbers run from 1 to ${MAX_PARTS}, each once`);
    }
    const hexMD5 = typeof p.hexMD5 === 'string' ? p.hexMD5.replace(/"/g, '').toLowerCase() : '';
    if (!HEX_MD5.test(hexMD5)) throw wandbBadRequest(`part ${partNumber}: hexMD5 must be 32 hex digits`);
    seen.add(partNumber);
    return { partNumber, hexMD5 };
  });
}

/** The store's refusals (a part missing or not matching its MD5, an upload gone) are the client's to fix: 4xx, never 5xx. */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error.status === 404 ? wandbNotFound(error.message) : wandbBadRequest(error.message);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw wandbNotFound(`the multipart upload: ${(error as Error).message}`);
    if (status && status >= 400 && status < 500)
      throw wandbBadRequest(`the store refused to assemble the parts: ${(error as Error).message}`);
    throw error;
  }
}
