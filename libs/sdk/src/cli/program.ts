import { Command, CommanderError } from 'commander';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrackbaseApi } from '../client/api';
import { TrackbaseApiError, TrackbaseUnavailableError } from '../client/errors';
import { version } from '../../package.json';
import { configDir, resolveConfig, type ResolvedConfig } from '../config';
import { listJournals } from '../journal/journal';
import { syncJournal, type SyncResult } from '../run/sync-journal';
import { registerArtifactCommands } from './commands/artifacts';
import { registerFileCommands } from './commands/files';
import { registerKeyCommands } from './commands/keys';
import { registerRetentionCommands } from './commands/retention';
import { createContext, defaultIo, type Io } from './context';
import { EXIT, formatNumber, progressBar, table } from './output';

/** Runs the CLI and returns its exit code (0 ok, 2 usage, 3 auth, 4 not found, 5 unreachable, 6 partial sync). */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('trackbase')
    .description('Trackbase: experiment tracking from the command line')
    .option('--url <url>', 'server URL (default TRACKBASE_URL or the stored login)')
    .option('--api-key <key>', 'API key (default TRACKBASE_API_KEY or the stored login)')
    .option('--json', 'machine-readable output')
    .version(version, '-V, --version', 'print the version of the CLI')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const globals = () => program.opts() as { url?: string; apiKey?: string; json?: boolean };
  const context = createContext(program, io);
  const { api, print, splitProject } = context;

  program
    .command('login')
    .description('store an API key (owner-only file in the user config directory)')
    .requiredOption('--key <key>', 'API key created in the web app (Account → API keys)')
    .action(async (options: { key: string }) => {
      const url = resolveConfig({ url: globals().url }, io.env).url;
      const me = await new TrackbaseApi({ baseUrl: url, apiKey: options.key, maxAttempts: 2 }).me();
      const dir = configDir(io.env);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ url, apiKey: options.key }, null, 2), { mode: 0o600 });
      chmodSync(file, 0o600);
      print({ url, user: me, configFile: file }, () => `Logged in to ${url} as ${me.email ?? me.name}. Key stored in ${file}.\n`);
    });

  program
    .command('whoami')
    .description('show who the key belongs to')
    .action(async () => {
      const me = await api().me();
      print(me, () => `${me.name} <${me.email ?? 'service account'}> (${me.id})\n`);
    });

  program
    .command('orgs')
    .description('list your organizations')
    .action(async () => {
      const orgs = await api().orgs();
      print(orgs, () => table(orgs, ['slug', 'name', 'role']));
    });

  const projects = program.command('projects').description('list or create projects');
  projects.command('list <org>').action(async (org: string) => {
    const list = await api().projects(org);
    print(list, () => table(list, ['slug', 'name', 'visibility', 'role']));
  });
  projects
    .command('create <org> <name>')
    .option('--slug <slug>')
    .option('--visibility <visibility>', 'private or org', 'private')
    .action(async (org: string, name: string, options: { slug?: string; visibility: 'private' | 'org' }) => {
      const project = await api().createProject(org, { name, slug: options.slug, visibility: options.visibility });
      print(project, () => `Created ${org}/${project.slug}\n`);
    });

  const runs = program.command('runs').description('list, show or delete runs');
  runs
    .command('list <project>')
    .description('runs of org/project, newest first')
    .option('--filter <filter>', 'e.g. params.lr > 0.01 AND state = "finished"')
    .option('--sort <sort>', 'e.g. -metrics.loss.min')
    .option('--limit <n>', 'rows', '50')
    .action(async (ref: string, options: { filter?: string; sort?: string; limit: string }) => {
      const { org, project } = splitProject(ref);
      // The sorted field is shown as a column, so the order can be seen.
      const sortField = options.sort?.split(',')[0]?.replace(/^[-+]/, '');
      const extra = sortField && /^(params|metrics|system)\./.test(sortField) ? [sortField] : [];
      const list = await api().listRuns(org, project, {
        filter: options.filter,
        sort: options.sort,
        limit: Number(options.limit),
        columns: extra,
      });
      print(list, () => {
        const rows = list.items.map((r) => ({ ...r, ...r.columns }) as unknown as Record<string, unknown>);
        if (!rows.length && options.filter)
          return `No run matches the filter. (A condition on a metric or parameter never matches runs that lack it: \`trackbase runs show\` lists a run's series and params.)\n`;
        if (!rows.length) return `No runs in ${org}/${project} yet.\n`;
        const sortColumn = sortField && !extra.length && !['key', 'name', 'state', 'createdAt'].includes(sortField) ? [sortField] : [];
        return table(rows, ['key', 'name', 'state', 'createdAt', ...extra, ...sortColumn]);
      });
    });
  runs.command('show <project> <run>').action(async (ref: string, run: string) => {
    const { org, project } = splitProject(ref);
    const detail = await api().getRun(org, project, run);
    print(detail, () => {
      const series = detail.series.map((s) => ({ series: s.name, kind: s.kind, last: s.last, min: s.min, max: s.max, points: s.count }));
      const params = Object.entries(detail.params).map(([param, value]) => ({
        param,
        value: typeof value === 'string' ? value : JSON.stringify(formatNumber(value)),
      }));
      return [
        `${detail.key} ${detail.name} [${detail.state}]`,
        detail.url,
        detail.tags.length ? `tags: ${detail.tags.join(', ')}` : 'tags: (none)',
        detail.notes ? `notes: ${detail.notes}` : '',
        '',
        params.length ? table(params, ['param', 'value']) : 'params: (none)\n',
        series.length ? table(series, ['series', 'kind', 'last', 'min', 'max', 'points']) : 'series: (none)\n',
      ]
        .filter((line, i) => line !== '' || i === 4)
        .join('\n');
    });
  });

  runs
    .command('delete <project> <run>')
    .description('delete a run with its series, text and files')
    .option('--yes', 'confirm the deletion')
    .action(async (ref: string, run: string, options: { yes?: boolean }) => {
      const { org, project } = splitProject(ref);
      context.confirm(options.yes, `the run ${run} of ${org}/${project} with its series and files`);
      await api().deleteRun(org, project, run);
      print({ run, deleted: true }, () => `Deleted ${run}\n`);
    });

  program
    .command('sync')
    .description('upload offline runs and anything a crashed process left behind')
    .option('--dir <dir>', 'journal directory (default TRACKBASE_DIR)')
    .action(async (options: { dir?: string }) => {
      const client = api();
      const config = resolveConfig({ dir: options.dir, mode: 'offline' }, io.env);
      const journals = listJournals(config.dataDir);
      const results: SyncResult[] = [];
      for (const dir of journals) {
        try {
          const result = await syncJournal(client, dir, (sent, total) => {
            if (!globals().json) io.err(`\r${progressBar(sent, total)} ${dir}`);
          });
          if (!globals().json && result.batches) io.err('\n');
          for (const value of result.dropped.slice(0, 20)) io.err(`refused and dropped ${value.key}: ${value.message}\n`);
          if (result.dropped.length > 20) io.err(`... ${result.dropped.length - 20} more refused values (--json lists them)\n`);
          if (result.repairedState)
            io.err(
              `the journal recorded the final state ${JSON.stringify(result.repairedState.recorded)}; sent "${result.repairedState.sent}"\n`,
            );
          results.push(result);
          if (result.rejected) code = EXIT.partial;
        } catch (error) {
          io.err(`could not sync ${dir}: ${(error as Error).message}\n`);
          code = EXIT.partial;
        }
      }
      const points = results.reduce((n, r) => n + r.points, 0);
      print(
        { runs: results },
        () =>
          `Synced ${results.length} of ${journals.length} runs, ${results.reduce((n, r) => n + r.batches, 0)} batches, ${points} points.\n${results.map((r) => `  ${r.runKey ?? '?'} ${r.runUrl ?? ''}${r.finished ? ` (${r.finished})` : ''}`).join('\n')}\n`,
      );
    });

  program
    .command('open <project> <run>')
    .description("print a run's URL (and open it with --browser)")
    .option('--browser', 'open in the default browser')
    .action(async (ref: string, run: string, options: { browser?: boolean }) => {
      const { org, project } = splitProject(ref);
      const detail = await api().getRun(org, project, run);
      print({ url: detail.url }, () => `${detail.url}\n`);
      if (options.browser) {
        const { spawn } = await import('node:child_process');
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
        spawn(opener, [detail.url], { detached: true, stdio: 'ignore' })
          .on('error', () => undefined)
          .unref();
      }
    });

  registerArtifactCommands(program, context);
  registerFileCommands(program, context);
  registerRetentionCommands(program, context);
  registerKeyCommands(program, context);

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its own errors; ours (a malformed org/project) still need saying.
      if (error.code === 'usage') io.err(`trackbase: ${error.message}\n`);
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof TrackbaseApiError) {
      io.err(`trackbase: ${error.message}\n`);
      return error.status === 401 || error.status === 403 ? EXIT.auth : error.status === 404 ? EXIT.notFound : EXIT.error;
    }
    if (error instanceof TrackbaseUnavailableError) {
      io.err(unreachableMessage(error, resolveConfig({ url: globals().url }, io.env)));
      return EXIT.unavailable;
    }
    throw error;
  }
}

/** Names the URL tried, where it came from, and how to change it. */
export function unreachableMessage(error: TrackbaseUnavailableError, config: ResolvedConfig): string {
  const url = error.url ?? config.url;
  const from = {
    option: 'given with --url.',
    TRACKBASE_URL: 'from TRACKBASE_URL.',
    login: 'stored by `trackbase login`.',
    default: 'the default (is the server running? `npm start` in the Trackbase checkout).',
  }[config.urlSource];
  return `trackbase: cannot reach the server at ${url}: ${error.message}\n  That URL is ${from} Use --url <url> (before or after the command) or TRACKBASE_URL to change it.\n`;
}
