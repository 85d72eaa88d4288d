import { Injectable } from '@nestjs/common';
import type { RunBatch, RunChangedEvent } from '@trackbase/contracts';
import { EventEmitter } from 'node:events';

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

/**
 * In-process notifications of committed run changes, raised only after commit.
 * The realtime gateway subscribes here and fans out to websocket rooms.
 */
@Injectable()
export class RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emitPoints(event: PointsCommitted): void {
    this.emitter.emit('points', event);
  }

  onPoints(listener: (event: PointsCommitted) => void): () => void {
    this.emitter.on('points', listener);
    return () => this.emitter.off('points', listener);
  }

  emitRunChanged(event: RunChanged): void {
    this.emitter.emit('run', event);
  }

  onRunChanged(listener: (event: RunChanged) => void): () => void {
    this.emitter.on('run', listener);
    return () => this.emitter.off('run', listener);
  }
}
