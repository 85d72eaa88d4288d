import { Injectable } from '@nestjs/common';
import type { RunBatch, RunChangedEvent } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export interface PointsCommitted {
  organizationId: string;
  projectId: string;
  runId: string;
  batch: RunBatch;
}

export interface RunChanged {
  organizationId: string;
  event: RunChangedEvent;
}

/** Committed run changes: `points` after each batch, `run` after lifecycle changes. */
@Injectable()
export class RunEvents extends TypedEvents<{ points: PointsCommitted; run: RunChanged }> {}
