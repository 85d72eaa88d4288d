import { Injectable } from '@nestjs/common';
import type { FilesChangedEvent } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export type RunFilesChanged = FilesChangedEvent & { organizationId: string };

/** Committed changes to stored files, for the realtime gateway. */
@Injectable()
export class StorageEvents extends TypedEvents<{ runFiles: RunFilesChanged }> {}
