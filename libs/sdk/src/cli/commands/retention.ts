import { CommanderError, type Command } from 'commander';
import {
  PROJECT_TRASH_KINDS,
  RETENTION_SCHEDULES,
  type ProjectTrashKind,
  type RetentionPlan,
  type RetentionPolicy,
  type RetentionSchedule,
} from '@trackbase/contracts';
import type { CliContext } from '../context';
import { EXIT, plural, table } from '../output';
import { formatBytes } from '../progress';

/** A whole number of days or versions from the command line, or `off` for none. */
function count(value: string): number | null {
  if (value === 'off') return null;
  if (!/^\d+$/.test(value)) throw new CommanderError(EXIT.usage, 'usage', `expected a whole number or "off", got "${value}"`);
  return Number(value);
}

function schedule(value: string): RetentionSchedule {
  if (!(RETENTION_SCHEDULES as readonly string[]).includes(value))
    throw new CommanderError(EXIT.usage, 'usage', `schedule is ${RETENTION_SCHEDULES.join(' or ')}, got "${value}"`);
  return value as RetentionSchedule;
}

const POLICY_COLUMNS = [
  'keepLastVersions',
  'failedRunFilesDays',
  'runFilter',
  'runFilterDays',
  'schedule',
  'lastAppliedAt',
  'nextApplyAt',
  'updatedAt',
];

function describePlan(plan: RetentionPlan): string {
  const verb = plan.dryRun ? 'Would move to the trash' : 'Moved to the trash';
  const lines = [
    `${verb}: ${plural(plan.runs.length, 'run')}, ${plural(plan.artifactVersions.length, 'artifact version')}; ${plan.dryRun ? 'would delete' : 'deleted'} ${plural(plan.runFiles.length, 'file')} of failed or crashed runs`,
    ...plan.runs.map((r) => `  run      ${r.key}`),
    ...plan.artifactVersions.map((v) => `  version  ${v.artifact}:${v.version}`),
    ...plan.runFiles.map((f) => `  file     ${f.runKey}/${f.path}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `trackbase retention show|set|preview|apply` and `trackbase trash list|restore|purge`. */
export function registerRetentionCommands(program: Command, cli: CliContext): void {
  const retention = program.command('retention').description("a project's retention policy: what goes to the trash, and when");

  retention
    .command('show <project>')
    .description('the policy of org/project')
    .action(async (ref: string) => {
      const { org, project } = cli.splitProject(ref);
      const policy = await cli.api().retentionPolicy(org, project);
      cli.print(policy, () => table([policy], POLICY_COLUMNS));
    });

  retention
    .command('set <project>')
    .alias('create')
    .description('set (or create) the policy; rules not given are off')
    .option('--keep-last-versions <n>', 'keep the newest N versions of each artifact (aliased ones always stay)')
    .option('--failed-run-files-days <n>', 'delete files of failed or crashed runs N days after they ended')
    .option('--run-filter <filter>', 'move runs matching this filter (runs table filter language) to the trash ...')
    .option('--run-filter-days <n>', '... N days after they were created')
    .option('--schedule <when>', 'manual (apply when asked) or daily (the server applies it every day, first a day from now)', 'manual')
    .action(
      async (
        ref: string,
        o: { keepLastVersions?: string; failedRunFilesDays?: string; runFilter?: string; runFilterDays?: string; schedule: string },
      ) => {
        const { org, project } = cli.splitProject(ref);
        const policy: RetentionPolicy = {
          keepLastVersions: o.keepLastVersions === undefined ? null : count(o.keepLastVersions),
          failedRunFilesDays: o.failedRunFilesDays === undefined ? null : count(o.failedRunFilesDays),
          runFilter: o.runFilter ?? null,
          runFilterDays: o.runFilterDays === undefined ? null : count(o.runFilterDays),
          schedule: schedule(o.schedule),
        };
        const saved = await cli.api().setRetentionPolicy(org, project, policy);
        cli.print(
          saved,
          () =>
            `Retention policy of ${org}/${project} saved${saved.nextApplyAt ? `; applied daily, next at ${saved.nextApplyAt}` : ''}; \`trackbase retention preview ${org}/${project}\` lists what it would remove.\n`,
        );
      },
    );

  retention
    .command('preview <project>')
    .description('dry run: list what applying the policy now would remove, changing nothing')
    .action(async (ref: string) => {
      const { org, project } = cli.splitProject(ref);
      const plan = await cli.api().previewRetention(org, project);
      cli.print(plan, () => describePlan(plan));
    });

  retention
    .command('apply <project>')
    .description('apply the policy now: matching runs and versions go to the trash')
    .option('--yes', 'confirm')
    .action(async (ref: string, options: { yes?: boolean }) => {
      const { org, project } = cli.splitProject(ref);
      cli.confirm(options.yes, `what the retention policy of ${org}/${project} matches (see \`retention preview\`)`);
      const plan = await cli.api().applyRetention(org, project);
      cli.print(plan, () => describePlan(plan));
    });

  const trash = program.command('trash').description("a project's trash: deleted runs, artifacts and artifact versions, until purged");

  trash
    .command('list <project>')
    .description('trashed items of org/project')
    .action(async (ref: string) => {
      const { org, project } = cli.splitProject(ref);
      const { items } = await cli.api().trash(org, project);
      cli.print(items, () =>
        table(
          items.map((i) => ({ ...i, size: formatBytes(i.sizeBytes) })),
          ['kind', 'id', 'label', 'size', 'deletedAt', 'purgeAfter'],
        ),
      );
    });

  for (const [name, description] of [
    ['restore', 'restore a trashed run, artifact or artifact version (kind: run, artifact or artifact_version)'],
    ['purge', 'delete a trashed item for good now'],
  ] as const) {
    trash
      .command(`${name} <project> <kind> <id>`)
      .description(description)
      .option('--yes', 'confirm (purge)')
      .action(async (ref: string, kind: string, id: string, options: { yes?: boolean }) => {
        const { org, project } = cli.splitProject(ref);
        if (!(PROJECT_TRASH_KINDS as readonly string[]).includes(kind))
          throw new CommanderError(EXIT.usage, 'usage', `kind is ${PROJECT_TRASH_KINDS.join(', ')}, got "${kind}"`);
        if (name === 'purge') {
          cli.confirm(options.yes, `the trashed ${kind} ${id} and its files for good`);
          await cli.api().purgeFromTrash(org, project, kind as ProjectTrashKind, id);
        } else await cli.api().restoreFromTrash(org, project, kind as ProjectTrashKind, id);
        cli.print(
          { kind, id, [name === 'purge' ? 'purged' : 'restored']: true },
          () => `${name === 'purge' ? 'Purged' : 'Restored'} ${kind} ${id}\n`,
        );
      });
  }
}
