import { CommanderError, type Command } from 'commander';
import { TrackbaseApi } from '../client/api';
import { TrackbaseApiError } from '../client/errors';
import { resolveConfig } from '../config';
import { EXIT } from './output';
import { progressReporter } from './progress';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Progress bars are drawn only on a terminal. */
  errIsTTY?: boolean;
}

export const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  errIsTTY: process.stderr.isTTY === true,
};

/** What every command needs: the global options, the API, output helpers. */
export interface CliContext {
  io: Io;
  json: () => boolean;
  api: () => TrackbaseApi;
  print: (json: unknown, human: () => string) => void;
  splitProject: (ref: string) => { org: string; project: string };
  progress: (label: string) => ReturnType<typeof progressReporter>;
  /** Destructive commands act only when `--yes` says the user means it. */
  confirm: (yes: boolean | undefined, what: string) => void;
}

export function createContext(program: Command, io: Io): CliContext {
  const globals = () => program.opts() as { url?: string; apiKey?: string; json?: boolean };
  const json = () => globals().json === true;
  return {
    io,
    json,
    api: () => {
      const config = resolveConfig({ url: globals().url, apiKey: globals().apiKey, mode: 'async' }, io.env);
      if (!config.apiKey) throw new TrackbaseApiError(401, 'unauthenticated', 'no API key: run `trackbase login` or set TRACKBASE_API_KEY');
      return new TrackbaseApi({ baseUrl: config.url, apiKey: config.apiKey, maxAttempts: 3 });
    },
    print: (value, human) => io.out(json() ? `${JSON.stringify(value, null, 2)}\n` : human()),
    splitProject: (ref) => {
      const [org, project] = ref.split('/');
      if (!org || !project) throw new CommanderError(EXIT.usage, 'usage', `expected org/project, got "${ref}"`);
      return { org, project };
    },
    progress: (label) => progressReporter(io.err, label, io.errIsTTY === true && !json()),
    confirm: (yes, what) => {
      if (!yes) throw new CommanderError(EXIT.usage, 'usage', `this deletes ${what}; pass --yes to confirm`);
    },
  };
}
