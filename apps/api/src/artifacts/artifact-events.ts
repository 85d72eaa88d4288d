import { Injectable } from '@nestjs/common';
import type { ArtifactVersionAddedEvent } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export type VersionAdded = ArtifactVersionAddedEvent & { organizationId: string };

/** Committed artifact versions, for the realtime gateway. */
@Injectable()
export class ArtifactEvents extends TypedEvents<{ version: VersionAdded }> {}
