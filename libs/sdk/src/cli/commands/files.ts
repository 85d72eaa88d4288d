import type { Command } from 'commander';
import { resolve } from 'node:path';
import { collectPath, type LocalFile } from '../../files/local-files';
import { downloadRunFiles } from '../../run/run-file-downloads';
import { uploadRunFiles } from '../../run/run-file-uploads';
import type { CliContext } from '../context';
import { table, plural } from '../output';
import { formatBytes } from '../progress';

/** `trackbase files upload|download|list`: the files of a run. */
export function registerFileCommands(program: Command, cli: CliContext): void {
  const files = program.command('files').description('upload, download and list the files of a run');

  files
    .command('upload <project> <run> <paths...>')
    .description('upload files and directories (a directory contributes its contents, with their relative paths)')
    .option('--prefix <prefix>', 'directory in the run to put them in')
    .action(async (ref: string, run: string, paths: string[], options: { prefix?: string }) => {
      const { org, project } = cli.splitProject(ref);
      const local: LocalFile[] = [];
      for (const path of paths) local.push(...(await collectPath(path, options.prefix ?? '')));
      const bar = cli.progress(plural(local.length, 'file'));
      const stored = await uploadRunFiles({ api: cli.api(), org, project, run }, local, { onProgress: bar.onProgress });
      bar.done();
      cli.print(
        { files: stored },
        () => `Uploaded ${plural(stored.length, 'file')} (${formatBytes(stored.reduce((n, f) => n + f.size, 0))}) to ${run}\n`,
      );
    });

  files
    .command('download <project> <run> [path]')
    .description('download a file, a directory, or every file of the run; paths relative to what was named')
    .option('--dir <dir>', 'where to put them', '.')
    .action(async (ref: string, run: string, path: string | undefined, options: { dir: string }) => {
      const { org, project } = cli.splitProject(ref);
      const bar = cli.progress(path ?? run);
      const got = await downloadRunFiles({ api: cli.api(), org, project, run }, path, resolve(options.dir), { onProgress: bar.onProgress });
      bar.done();
      const fetched = got.filter((f) => f.downloaded).length;
      cli.print(
        { files: got },
        () =>
          `Downloaded ${plural(fetched, 'file')}${got.length > fetched ? ` (${got.length - fetched} were up to date)` : ''} into ${resolve(options.dir)}\n`,
      );
    });

  files
    .command('list <project> <run> [prefix]')
    .description("files and directories directly under prefix (default: the run's root)")
    .action(async (ref: string, run: string, prefix: string | undefined) => {
      const { org, project } = cli.splitProject(ref);
      const listing = await cli.api().listRunFiles(org, project, run, prefix);
      cli.print(listing, () =>
        table(
          listing.entries.map((e) => ({
            ...e,
            name: e.type === 'dir' ? `${e.name}/` : e.name,
            size: formatBytes(e.size),
            files: e.fileCount ?? '',
          })),
          ['name', 'size', 'files', 'createdAt'],
        ),
      );
    });
}
