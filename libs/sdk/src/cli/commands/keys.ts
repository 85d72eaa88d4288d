import { CommanderError, type Command } from 'commander';
import type { ApiKey, CreateApiKeyRequest } from '@trackbase/contracts';
import { TrackbaseApi } from '../../client/api';
import { TrackbaseApiError } from '../../client/errors';
import { resolveConfig } from '../../config';
import type { CliContext } from '../context';
import { EXIT, table } from '../output';

/**
 * When a key made now stops working: `30d`, `12h`, `2w`, a date (`2026-12-31`, the end of that day in UTC), or
 * `never`. The Python CLI reads the same forms (libs/sdk-python/src/trackbase/cli/_keys.py).
 */
export function parseExpiry(value: string, now = Date.now()): string | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'never') return undefined;
  const relative = /^(\d{1,5})([hdw])$/.exec(text);
  if (relative) {
    const hours = { h: 1, d: 24, w: 24 * 7 }[relative[2] as 'h' | 'd' | 'w'] * Number(relative[1]);
    if (hours > 0) return new Date(now + hours * 3_600_000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const end = new Date(`${text}T23:59:59.000Z`);
    if (!Number.isNaN(end.getTime()) && end.toISOString().startsWith(text)) return end.toISOString();
  }
  throw new CommanderError(EXIT.usage, 'usage', `--expires takes 30d, 12h, 2w, a date such as 2026-12-31, or never; got "${value}"`);
}

/** The scope a key is created with, from `--read-only`, `--org` and `--project org/project` (repeatable). */
export function keyScope(
  options: { readOnly?: boolean; org?: string; project?: string[] },
  split: (ref: string) => { org: string; project: string },
): Pick<CreateApiKeyRequest, 'access' | 'organization' | 'projects'> {
  const refs = (options.project ?? []).map(split);
  const orgs = new Set([...(options.org ? [options.org] : []), ...refs.map((r) => r.org)]);
  if (orgs.size > 1)
    throw new CommanderError(EXIT.usage, 'usage', 'a key reaches one organization: --org and every --project must name the same one');
  const [organization] = [...orgs];
  return {
    access: options.readOnly ? 'read' : 'write',
    ...(organization && { organization }),
    ...(refs.length > 0 && { projects: refs.map((r) => r.project) }),
  };
}

function scopeText(k: ApiKey): string {
  const where = !k.organization
    ? 'every organization'
    : k.projects
      ? k.projects.map((p) => `${k.organization}/${p}`).join(', ')
      : k.organization;
  return `${k.access === 'read' ? 'read-only' : 'read-write'} · ${where}`;
}

interface SessionOptions {
  email?: string;
}

/**
 * Key management needs a signed-in session, never a key (a leaked key must not mint its successor): the CLI signs
 * in with TRACKBASE_EMAIL (or --email) and TRACKBASE_PASSWORD for this one command and signs out after, or uses a
 * session's access token from TRACKBASE_ACCESS_TOKEN (accounts that sign in through single sign-on).
 */
async function withSession<T>(
  cli: CliContext,
  program: Command,
  options: SessionOptions,
  work: (api: TrackbaseApi) => Promise<T>,
): Promise<T> {
  const url = resolveConfig({ url: (program.opts() as { url?: string }).url }, cli.io.env).url;
  const accessToken = cli.io.env.TRACKBASE_ACCESS_TOKEN;
  if (accessToken) return work(new TrackbaseApi({ baseUrl: url, token: () => accessToken, maxAttempts: 3 }));
  const email = options.email ?? cli.io.env.TRACKBASE_EMAIL;
  const password = cli.io.env.TRACKBASE_PASSWORD;
  if (!email || !password)
    throw new CommanderError(
      EXIT.usage,
      'usage',
      'managing keys needs you signed in, not a key: set TRACKBASE_EMAIL (or --email) and TRACKBASE_PASSWORD, or TRACKBASE_ACCESS_TOKEN',
    );
  const anonymous = new TrackbaseApi({ baseUrl: url, maxAttempts: 3 });
  const tokens = await anonymous.login(email, password);
  try {
    return await work(new TrackbaseApi({ baseUrl: url, token: () => tokens.accessToken, maxAttempts: 3 }));
  } finally {
    await anonymous.logout(tokens.refreshToken).catch(() => undefined);
  }
}

/** `trackbase keys list|create|revoke`: personal API keys with their scope (read-only, organization, projects) and expiry. */
export function registerKeyCommands(program: Command, cli: CliContext): void {
  const keys = program.command('keys').description('your API keys: list, create with a scope and expiry, revoke');

  keys
    .command('list')
    .description('your keys, newest first')
    .option('--email <email>', 'sign in as (default TRACKBASE_EMAIL) when no API key is set')
    .action(async (options: SessionOptions) => {
      const config = resolveConfig(
        { url: (program.opts() as { url?: string }).url, apiKey: (program.opts() as { apiKey?: string }).apiKey },
        cli.io.env,
      );
      const list = config.apiKey ? await cli.api().apiKeys() : await withSession(cli, program, options, (api) => api.apiKeys());
      cli.print(list, () =>
        table(
          list.map((k) => ({
            ...k,
            scope: scopeText(k),
            state: k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'live',
          })),
          ['id', 'name', 'prefix', 'scope', 'expiresAt', 'lastUsedAt', 'state'],
        ),
      );
    });

  keys
    .command('create <name>')
    .description('a new key (shown once); by default read-write, every organization, no expiry')
    .option('--read-only', 'the key can only read')
    .option('--org <org>', 'limit the key to this organization')
    .option(
      '--project <org/project>',
      'limit the key to this project (repeat for several of one organization)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--expires <when>', '30d, 12h, 2w, a date such as 2026-12-31, or never', 'never')
    .option('--email <email>', 'sign in as (default TRACKBASE_EMAIL)')
    .action(async (name: string, options: { readOnly?: boolean; org?: string; project?: string[]; expires: string } & SessionOptions) => {
      const expiresAt = parseExpiry(options.expires);
      const body: CreateApiKeyRequest = { name, ...keyScope(options, cli.splitProject), ...(expiresAt && { expiresAt }) };
      const created = await withSession(cli, program, options, (api) => api.createApiKey(body));
      cli.print(
        created,
        () =>
          `${created.key}\nCreated ${created.name} (${created.prefix}, ${scopeText(created)}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}). It is shown only now.\n`,
      );
    });

  keys
    .command('revoke <key>')
    .description('revoke a key by its id or prefix (tbk_...); it stops working at once')
    .option('--email <email>', 'sign in as (default TRACKBASE_EMAIL)')
    .action(async (which: string, options: SessionOptions) => {
      const revoked = await withSession(cli, program, options, async (api) => {
        const list = await api.apiKeys();
        const key = list.find(
          (k) => k.id === which || k.prefix === which || (which.startsWith('tbk_') && which.startsWith(`${k.prefix}_`)),
        );
        if (!key) throw new TrackbaseApiError(404, 'not_found', `no key ${which}`);
        await api.revokeApiKey(key.id);
        return key;
      });
      cli.print({ id: revoked.id, revoked: true }, () => `Revoked ${revoked.name} (${revoked.prefix})\n`);
    });
}
