import { EventEmitter } from 'node:events';

/**
 * In-process events with typed names and payloads. Domains raise them after
 * commit (`ctx.afterCommit`); the realtime gateway listens.
 */
export class TypedEvents<M extends Record<string, unknown>> {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit<K extends keyof M & string>(name: K, event: M[K]): void {
    this.emitter.emit(name, event);
  }

  /** Returns a function that removes the listener. */
  on<K extends keyof M & string>(name: K, listener: (event: M[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
