import { Inject, Injectable } from '@nestjs/common';
import { STORAGE_LIMITS, StorageErrorCode, paths, type FilePreview, type SignedUrl } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { absoluteUrl } from './absolute-url';
import { ARCHIVE_SIGNER, type ArchiveToken } from './archive-token';
import { buildPreview, contentTypeFor } from './preview';
import type { StoredObjectRow } from './stored-object';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import type { TokenSigner } from './signed-token';

/** Reading stored files: short-lived download URLs, previews, directory archives. */
@Injectable()
export class FileAccessService {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARCHIVE_SIGNER) private readonly archiveSigner: TokenSigner,
  ) {}

  /** Works for this object only, for STORAGE_URL_TTL_SECONDS; browsers save it under the file's own name. */
  async downloadUrl(ctx: RequestContext, path: string, object: StoredObjectRow): Promise<SignedUrl> {
    const url = await this.driver.presignGet(object.key, {
      expiresIn: this.config.STORAGE_URL_TTL_SECONDS,
      downloadName: path.slice(path.lastIndexOf('/') + 1),
      contentType: contentTypeFor(path, object.content_type),
    });
    return { url: absoluteUrl(ctx.origin, url), expiresAt: this.expiresAt() };
  }

  async preview(ctx: RequestContext, path: string, object: StoredObjectRow): Promise<FilePreview> {
    const contentType = contentTypeFor(path, object.content_type);
    const size = Number(object.size);
    const url = await this.driver.presignGet(object.key, { expiresIn: this.config.STORAGE_URL_TTL_SECONDS, contentType });
    const file = { path, size, contentType };
    const wantsText = !contentType.startsWith('image/');
    const head =
      wantsText && size > 0
        ? await this.readHead(object.key, Math.min(size, STORAGE_LIMITS.previewBytes))
        : size === 0
          ? Buffer.alloc(0)
          : null;
    return buildPreview(file, head, absoluteUrl(ctx.origin, url));
  }

  /** A signed URL that streams the listed owner's files under `prefix` as one tar. */
  archiveUrl(ctx: RequestContext, token: Omit<ArchiveToken, 'org'>, totalBytes: number): SignedUrl {
    if (totalBytes > this.config.ARCHIVE_MAX_BYTES) {
      throw new AppError(
        413,
        StorageErrorCode.ArchiveTooLarge,
        `the files come to ${totalBytes} bytes, more than one archive may hold (${this.config.ARCHIVE_MAX_BYTES}); download them one by one or with the SDK`,
      );
    }
    const signed = this.archiveSigner.sign({ ...token, org: ctx.organization.id }, this.config.STORAGE_URL_TTL_SECONDS);
    return { url: absoluteUrl(ctx.origin, paths.archive(signed)), expiresAt: this.expiresAt() };
  }

  private async readHead(key: string, bytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(key, { start: 0, end: bytes - 1 })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private expiresAt(): string {
    return new Date(Date.now() + this.config.STORAGE_URL_TTL_SECONDS * 1000).toISOString();
  }
}
