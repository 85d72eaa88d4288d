import { CommanderError, type Command } from 'commander';
import { resolve } from 'node:path';
import { logArtifactFiles } from '../../artifacts/log-artifact';
import { parseArtifactRef } from '../../artifacts/artifact-ref';
import { downloadArtifact } from '../../artifacts/use-artifact';
import type { CliContext } from '../context';
import { EXIT, table, plural } from '../output';
import { formatBytes } from '../progress';

const collect = (value: string, previous: string[]) => [...previous, value];

/** A malformed `name:version` on the command line is a usage error (exit 2), as a malformed org/project is. */
function versionRef(ref: string): { name: string; version: string } {
  try {
    return parseArtifactRef(ref);
  } catch (error) {
    throw new CommanderError(EXIT.usage, 'usage', (error as Error).message);
  }
}

/** `trackbase artifacts list|get|put|alias|unalias|delete`. */
export function registerArtifactCommands(program: Command, cli: CliContext): void {
  const artifacts = program.command('artifacts').description('list, download and log versioned artifacts');

  artifacts
    .command('list <project>')
    .description('artifacts of org/project')
    .option('--kind <kind>', 'only this kind (dataset, model, ...)')
    .action(async (ref: string, options: { kind?: string }) => {
      const { org, project } = cli.splitProject(ref);
      const list = await cli.api().artifacts(org, project, options.kind);
      cli.print(list, () =>
        table(
          list.map((a) => ({ ...a, size: formatBytes(a.size), versions: a.versionCount })),
          ['name', 'kind', 'latest', 'versions', 'size', 'updatedAt'],
        ),
      );
    });

  artifacts
    .command('get <project> <artifact>')
    .description('download name[:alias|:v3] (default latest) into the cache, or into --dir')
    .option('--dir <dir>', "directory to put writable copies of the files in (default: the cache's own, read-only directory)")
    .option('--run <run>', 'record that this run (key or id) used the version')
    .action(async (ref: string, artifact: string, options: { dir?: string; run?: string }) => {
      const { org, project } = cli.splitProject(ref);
      const bar = cli.progress(artifact);
      const result = await downloadArtifact({ api: cli.api(), org, project }, artifact, {
        root: options.dir && resolve(options.dir),
        // Files put where the user asked are theirs to edit: copies, not links to the read-only cache.
        copy: options.dir !== undefined,
        run: options.run,
        onProgress: bar.onProgress,
      });
      bar.done();
      const { dir, version, downloaded, reused, files } = result;
      cli.print({ dir, version, downloaded, reused, files }, () =>
        version.reference
          ? `${version.artifact}:${version.version} refers to ${version.reference.uri} (digest ${version.reference.digest}); nothing to download.\n`
          : `${version.artifact}:${version.version} (${plural(files.length, 'file')}, ${formatBytes(version.size)}; ${downloaded} downloaded, ${reused} from the cache) in ${dir}\n`,
      );
    });

  artifacts
    .command('put <project> <name> <paths...>')
    .description('log a version from files and directories (a directory contributes its contents)')
    .requiredOption('--kind <kind>', 'dataset, model, or another lowercase word')
    .option('--alias <alias>', 'alias to point at the version (repeatable); latest moves by itself', collect, [] as string[])
    .option('--description <text>', 'what this version is')
    .option('--run <run>', 'the run (key or id) that produced it')
    .action(
      async (
        ref: string,
        name: string,
        paths: string[],
        options: { kind: string; alias: string[]; description?: string; run?: string },
      ) => {
        const { org, project } = cli.splitProject(ref);
        const bar = cli.progress(name);
        const version = await logArtifactFiles({ api: cli.api(), org, project }, name, options.kind, paths, {
          aliases: options.alias,
          description: options.description,
          run: options.run,
          onProgress: bar.onProgress,
        });
        bar.done();
        cli.print(
          version,
          () =>
            `${version.created ? 'Logged' : 'Unchanged, already'} ${name}:${version.version} (${plural(version.fileCount, 'file')}, ${formatBytes(version.size)}; aliases ${version.aliases.join(', ')})\n`,
        );
      },
    );

  artifacts
    .command('alias <project> <version> <alias>')
    .description('point an alias (production, best, ...) at name:v3 or name:<another alias>; latest moves by itself')
    .action(async (ref: string, target: string, alias: string) => {
      const { org, project } = cli.splitProject(ref);
      const { name, version } = versionRef(target);
      const moved = await cli.api().setArtifactAlias(org, project, name, alias, version);
      cli.print(moved, () => `${name}:${alias} now points at ${name}:${moved.version}\n`);
    });

  artifacts
    .command('unalias <project> <name> <alias>')
    .description('remove an alias from the version it points at')
    .action(async (ref: string, name: string, alias: string) => {
      const { org, project } = cli.splitProject(ref);
      await cli.api().deleteArtifactAlias(org, project, name, alias);
      cli.print({ artifact: name, alias, removed: true }, () => `Removed alias ${name}:${alias}\n`);
    });

  artifacts
    .command('delete <project> <artifact>')
    .description('move one version (name:v3) or, given a bare name, the artifact with every version to the trash (`trackbase trash`)')
    .option('--yes', 'confirm the deletion')
    .action(async (ref: string, artifact: string, options: { yes?: boolean }) => {
      const { org, project } = cli.splitProject(ref);
      const whole = !artifact.includes(':');
      const { name, version } = versionRef(artifact);
      cli.confirm(options.yes, whole ? `the artifact ${name} with every version and its files` : `${name}:${version} and its files`);
      if (whole) await cli.api().deleteArtifact(org, project, name);
      else await cli.api().deleteArtifactVersion(org, project, name, version);
      cli.print({ artifact: name, version: whole ? null : version, deleted: true }, () =>
        whole ? `Moved ${name} and every version to the trash\n` : `Moved ${name}:${version} to the trash\n`,
      );
    });
}
