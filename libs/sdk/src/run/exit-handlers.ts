import type { Run } from './run';

/**
 * On the way out: an uncaught error marks the run failed, SIGINT/SIGTERM
 * aborted, and a normal end finished, after flushing what was logged. The
 * process then exits as it would have (code 1, 130, 143).
 */
export function installExitHandlers(run: Run): () => void {
  let exiting = false;
  const end = (state: 'failed' | 'aborted', code: number) => {
    if (exiting) return;
    exiting = true;
    void run.finish(state, { timeoutMs: 15_000 }).finally(() => process.exit(code));
  };
  const onError = (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    end('failed', 1);
  };
  const onInt = () => end('aborted', 130);
  const onTerm = () => end('aborted', 143);
  const onBeforeExit = () => {
    if (!exiting) {
      exiting = true;
      void run.finish('finished');
    }
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('beforeExit', onBeforeExit);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('beforeExit', onBeforeExit);
  };
}
