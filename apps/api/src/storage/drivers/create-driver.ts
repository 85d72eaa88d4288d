import { mkdirSync } from 'node:fs';
import type { AppConfig } from '../../config/config';
import type { StorageDriver } from '../storage-driver';
import { LocalDiskDriver } from './local.driver';
import { S3StorageDriver } from './s3.driver';

/** The driver the configuration names (config validation already required S3_BUCKET for `s3`). */
export function createStorageDriver(config: AppConfig): StorageDriver {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3StorageDriver({
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      publicEndpoint: config.S3_PUBLIC_ENDPOINT,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  mkdirSync(config.ARTIFACTS_DIR, { recursive: true });
  return new LocalDiskDriver({ root: config.ARTIFACTS_DIR, secret: config.JWT_SECRET });
}
