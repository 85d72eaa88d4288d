import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { createStorageDriver } from './drivers/create-driver';
import { LocalObjectsController } from './local-objects.controller';
import { STORAGE_DRIVER } from './storage-driver';

/** The configured storage driver, for every module, and the routes behind the local driver's URLs. */
@Global()
@Module({
  controllers: [LocalObjectsController],
  providers: [{ provide: STORAGE_DRIVER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createStorageDriver(config) }],
  exports: [STORAGE_DRIVER],
})
export class StorageDriverModule {}
