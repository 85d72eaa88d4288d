import type { ParamValue } from '@trackbase/contracts';
import { TrackbaseApi } from './client/api';
import { TrackbaseApiError } from './client/errors';
import { resolveConfig, type Mode } from './config';
import { collectContext, type ContextOptions } from './context/collect';
import { listJournals, Journal } from './journal/journal';
import { captureConsole } from './monitor/console';
import { startSystemMonitor } from './monitor/system';
import { installExitHandlers } from './run/exit-handlers';
import { Run, type RunOptions } from './run/run';
import { createMissingProject } from './run/missing-project';
import { syncJournal } from './run/sync-journal';

export interface InitOptions {
  /** `org/project`; default TRACKBASE_PROJECT. */
  project?: string;
  url?: string;
  apiKey?: string;
  mode?: Mode;
  name?: string;
  /** Every process passing the same id joins one run (distributed jobs, restarts). */
  externalId?: string;
  /** Resume an existing run by its id. */
  runId?: string;
  /**
   * Fork: start a run that continues this one (id or key, of the same project) after `forkStep`. It inherits the
   * parent's params and, in every series read, the parent's points through `forkStep`; no points are copied.
   */
  forkFrom?: string;
  /** The last step of `forkFrom` the fork inherits; logging without a step continues at `forkStep + 1`. */
  forkStep?: number;
  tags?: string[];
  params?: Record<string, ParamValue>;
  /** Automatic context; `false` turns all of it off. */
  context?: ContextOptions | false;
  /** Sample CPU, memory, disk, network and GPU every N ms; 0 turns it off. */
  systemMetricsIntervalMs?: number;
  /** Copy stdout and stderr lines into text series. */
  captureConsole?: boolean;
  /** Mark the run failed or aborted on uncaught errors and signals. */
  exitHandlers?: boolean;
  /** Journal directory; default TRACKBASE_DIR or ~/.local/share/trackbase. */
  dir?: string;
  flushIntervalMs?: number;
  /** Points of unsent batches held in memory during an outage; the rest wait in the journal. */
  memoryLimitPoints?: number;
  /** Create the project when it does not exist and the key may create projects in its organization (default true). */
  createProject?: boolean;
  log?: (message: string) => void;
}

/**
 * Starts (or joins) a run. In async mode the returned run logs without
 * waiting for the network; the run is created on the server before init
 * returns when the server answers, and later otherwise.
 */
export async function init(options: InitOptions = {}): Promise<Run> {
  const config = resolveConfig({
    url: options.url,
    apiKey: options.apiKey,
    project: options.project,
    mode: options.mode,
    dir: options.dir,
  });
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  if (config.mode !== 'disabled' && (!config.org || !config.project))
    throw new Error('trackbase: set project: "org/project" or TRACKBASE_PROJECT');
  if ((config.mode === 'async' || config.mode === 'sync') && !config.apiKey)
    throw new Error('trackbase: set apiKey, TRACKBASE_API_KEY, or run `trackbase login`');
  if ((options.forkFrom === undefined) !== (options.forkStep === undefined))
    throw new Error('trackbase: forkFrom and forkStep go together');
  if (options.forkStep !== undefined && !(Number.isSafeInteger(options.forkStep) && options.forkStep >= 0))
    throw new Error('trackbase: forkStep must be a non-negative integer');
  const online = config.mode === 'async' || config.mode === 'sync';
  const api = online
    ? new TrackbaseApi({ baseUrl: config.url, apiKey: config.apiKey, maxAttempts: 3, userAgent: 'trackbase-sdk-js' })
    : null;

  if (api && options.externalId) await resumeLeftovers(api, config.dataDir, config.org!, config.project!, options.externalId, log);

  const runOptions: RunOptions = {
    flushIntervalMs: options.flushIntervalMs ?? 1_000,
    maxBufferedPoints: 100_000,
    maxQueuedPoints: options.memoryLimitPoints ?? 200_000,
    heartbeatIntervalMs: 30_000,
    log,
  };
  const run = Run.start({
    api,
    mode: config.mode,
    dataDir: config.dataDir,
    org: config.org ?? '',
    project: config.project ?? '',
    name: options.name,
    externalId: options.externalId,
    runId: options.runId,
    ...(options.forkFrom !== undefined ? { fork: { from: options.forkFrom, step: options.forkStep! } } : {}),
    options: runOptions,
  });
  if (config.mode === 'disabled') return run;

  try {
    try {
      await run.connect();
    } catch (error) {
      if (!(error instanceof TrackbaseApiError && error.status === 404) || options.createProject === false) throw error;
      await createMissingProject(api!, config.org!, config.project!, log);
      await run.connect();
    }
  } catch (error) {
    // Wrong key or project: say so now. An unreachable server: keep logging; the run is created later.
    if (error instanceof TrackbaseApiError) {
      await run.finish('failed', { timeoutMs: 0 }).catch(() => undefined);
      throw error;
    }
    log(`trackbase: server unreachable (${(error as Error).message}); logging to ${run.dir} and retrying in the background`);
  }
  if (options.tags?.length) void run.addTags(...options.tags);
  if (options.params) void run.logParams(options.params);
  if (options.context !== false) void run.setContext(collectContext(options.context ?? {}));
  const interval = options.systemMetricsIntervalMs ?? 10_000;
  if (interval > 0) run.onFinish(startSystemMonitor(interval, (values, step) => void run.logSystem(values, step)));
  if (options.captureConsole) run.onFinish(captureConsole((stream, line) => void run.logText(stream, line)));
  if (options.exitHandlers !== false) run.onFinish(installExitHandlers(run));
  if (run.url && config.mode !== 'offline') log(`trackbase: run ${run.key} at ${run.url}`);
  return run;
}

/** A previous process of the same job may have died with data on disk: send it first. */
async function resumeLeftovers(
  api: TrackbaseApi,
  dataDir: string,
  org: string,
  project: string,
  externalId: string,
  log: (m: string) => void,
): Promise<void> {
  for (const dir of listJournals(dataDir)) {
    const { meta } = Journal.replay(dir);
    if (meta.org !== org || meta.project !== project || meta.externalId !== externalId) continue;
    try {
      const result = await syncJournal(api, dir);
      if (result.batches) log(`trackbase: resumed ${result.batches} batches left by an earlier process`);
    } catch (error) {
      log(`trackbase: could not upload leftovers in ${dir}: ${(error as Error).message}`);
    }
  }
}
