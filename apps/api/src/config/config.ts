import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An entry of TRUST_PROXY: a named range, an IPv4/IPv6 address, or one with a /prefix (trusting every peer is not offered). */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length || !address || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= (isIP(address) === 4 ? 32 : 128);
}

/** An entry of SSO_DNS_SERVERS: `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53`. */
function isDnsServer(entry: string): boolean {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  const v4 = /^([^:]+)(?::(\d{1,5}))?$/.exec(entry);
  const [address, port] = v6 ? [v6[1]!, v6[2]] : v4 ? [v4[1]!, v4[2]] : [entry, undefined];
  if (isIP(address) === 0) return false;
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

const boolean = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  TRACKBASE_DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  /** How long a granted project scope is reused by hot routes (0 turns the access cache off); see AccessCache. */
  ACCESS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  MIGRATE_ON_BOOT: boolean.default(true),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Key that encrypts stored secrets (SSO client secrets): 32 bytes as base64 or 64 hex digits. Without it, production
   * refuses to store secrets (SSO cannot be configured); elsewhere one is generated once and kept in the data directory.
   * Changing it makes stored secrets unreadable. Every node needs the same key.
   */
  SECRETS_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const hex = /^[0-9a-f]{64}$/i.test(value);
      const key = Buffer.from(value, hex ? 'hex' : 'base64');
      if (key.length !== 32 || (!hex && !/^[A-Za-z0-9+/_-]{43}=?$/.test(value))) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as base64 or 64 hex digits (openssl rand -base64 32)' });
        return z.NEVER;
      }
      return key;
    }),
  /** Lets SSO providers be reached over plain http (a provider on localhost in development); never in production. */
  SSO_ALLOW_HTTP_ISSUERS: boolean.default(false),
  /**
   * DNS resolvers that verify email domains (their TXT records), as `address` or `address:port` (`[v6]:port`),
   * comma-separated. Empty: the system's resolvers.
   */
  SSO_DNS_SERVERS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const list = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const bad = list.filter((entry) => !isDnsServer(entry));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `not an address or address:port: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return list;
    }),
  /** How long a sign-in at the provider may take, from start to callback. */
  SSO_SIGN_IN_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(600),
  /**
   * Where email goes: `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://...:465`. Without
   * it, emails are written to the log (with their links) and nothing is sent.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From of every email: an address, or `Name <address>`. */
  EMAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, 'must be an address or "Name <address>"')
    .default('Trackbase <no-reply@localhost>'),
  /** How long an email-verification link works. */
  EMAIL_VERIFICATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  /** How long a password-reset link works. */
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(1_440).default(60),
  /** How often each node looks for daily email digests that are due (one node sends each; 0 turns digests off). */
  EMAIL_DIGEST_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 100 && ms <= 3_600_000), 'must be 0 (off) or between 100 and 3600000')
    .default(60_000),
  /** How long the second step of a sign-in (the two-factor code) may take after the password. */
  TWO_FACTOR_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(1_800).default(300),
  /** Wrong two-factor codes for one account before its code attempts pause (LOGIN_BACKOFF_SECONDS, doubling). */
  TWO_FACTOR_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(2).max(100).default(5),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(31_536_000)
    .default(30 * 86_400),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Wrong passwords for one email (within LOGIN_BACKOFF_SECONDS) before its sign-ins pause, from any address. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(2).max(1_000).default(10),
  /** How long sign-ins of that email pause; each pause in a row doubles it, up to a day. */
  LOGIN_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * How long an idle keep-alive connection stays open. Node's own default (5 s) is shorter than the idle timeout of
   * load balancers (60 s on AWS and nginx's upstream keepalive) and of client pools, so a request sent as the server
   * closes the connection is reset; keep it above whatever sits in front.
   */
  KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(65),
  /**
   * Which peers may tell the client's address in X-Forwarded-For (rate limits count per address):
   * `false` (default: the header is ignored, the peer is the client), or a comma-separated list of
   * addresses, CIDR ranges and the names `loopback`, `linklocal`, `uniquelocal` (your balancers).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const list = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      if (!list.length || (list.length === 1 && list[0] === 'false')) return false as const;
      const bad = list.filter((entry) => !isProxyEntry(entry));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `not an address, CIDR range, loopback, linklocal or uniquelocal: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return list;
    }),
  JSON_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb')
    .default('1mb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines on a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  BATCH_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 16mb')
    .default('16mb'),
  RUN_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  RUN_CRASH_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** How often each node merges small series segments (see SegmentCompactor); 0 turns compaction off. */
  SEGMENT_COMPACTION_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 1_000 && ms <= 86_400_000), 'must be 0 (off) or between 1000 and 86400000')
    .default(300_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and :_.- only, at most 64')
    .default('trackbase'),
  WEB_DIST_DIR: z.string().min(1).default('./apps/web/dist'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** `local` (disk under ARTIFACTS_DIR) unless S3_BUCKET is set. */
  STORAGE_DRIVER: z.enum(['local', 's3']).optional(),
  ARTIFACTS_DIR: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  /** The endpoint clients reach, when it differs from the one the API uses (presigned URLs name it). */
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: boolean.default(false),
  STORAGE_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(300),
  /**
   * Media URLs (content, thumbnails, masks, table media) are signed per window of this many seconds:
   * the same object keeps the same URL within a window (browsers cache it), valid until the end of the next.
   */
  MEDIA_URL_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(3 * 86_400)
    .default(900),
  UPLOAD_PART_SIZE: z.coerce
    .number()
    .int()
    .min(5 * 1024 * 1024)
    .max(5 * 1024 ** 3)
    .default(16 * 1024 * 1024),
  /** Uploads and artifact drafts untouched this long are abandoned: their parts are aborted and their rows removed. */
  UPLOAD_EXPIRY_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
  STORAGE_JANITOR_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Days a deleted run, artifact version or project stays in its trash (restorable) before the storage janitor purges it; 0 purges at the janitor's next pass. */
  TRASH_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** How often each node looks for daily retention policies that are due (RetentionScheduler); 0 turns the schedule off. */
  RETENTION_SCHEDULE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 1_000 && ms <= 86_400_000), 'must be 0 (off) or between 1000 and 86400000')
    .default(600_000),
  ARCHIVE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(5 * 1024 ** 3),
  /** Bearer token Prometheus presents at `/metrics`; without it (and without METRICS_PORT) there is no /metrics. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A port of its own serving `/metrics` without a token, for networks where only the scraper reaches it. */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Bytes of Parquet tables kept on local disk for queries (least recently used leave first). */
  TABLE_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(1024 ** 3),
  /** Storage quota of organizations that have none of their own; unset means unlimited. */
  STORAGE_QUOTA_BYTES: z.coerce.number().int().min(0).optional(),
});

export type AppConfig = Omit<
  z.infer<typeof envSchema>,
  'JWT_SECRET' | 'SECRETS_KEY' | 'TRACKBASE_DATA_DIR' | 'STORAGE_DRIVER' | 'ARTIFACTS_DIR'
> & {
  TRACKBASE_DATA_DIR: string;
  JWT_SECRET: string;
  /** null in production without SECRETS_KEY: nothing secret can be stored. */
  SECRETS_KEY: Buffer | null;
  STORAGE_DRIVER: 'local' | 's3';
  ARTIFACTS_DIR: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * What a node started with REDIS_URL (so maybe one of several) should hear at boot: secrets generated into its own
 * data directory differ from every other node's, so tokens one node signs are refused by the next.
 */
export function multiNodeWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  if (!env.REDIS_URL) return [];
  const generated = ['JWT_SECRET', 'SECRETS_KEY'].filter((name) => !env[name]);
  if (!generated.length) return [];
  return [
    `REDIS_URL is set, so this may be one of several API nodes, but ${generated.join(' and ')} ${generated.length > 1 ? 'are' : 'is'} generated into this node's data directory: ` +
      `other nodes will refuse what this one signs or encrypts. Give every node the same ${generated.join(' and ')}.`,
  ];
}

/**
 * Reads and validates configuration once, at boot. Without JWT_SECRET the
 * secret is generated once and kept in the data directory, so sessions survive
 * a restart of the single-node default; production needs an explicit one so
 * every node signs alike.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const values = parsed.data;
  if (values.NODE_ENV === 'production' && !values.JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: required when NODE_ENV=production']);
  }
  if (values.NODE_ENV === 'production' && values.SSO_ALLOW_HTTP_ISSUERS) {
    throw new ConfigError(['SSO_ALLOW_HTTP_ISSUERS: not allowed when NODE_ENV=production']);
  }
  const storageDriver = values.STORAGE_DRIVER ?? (values.S3_BUCKET ? 's3' : 'local');
  if (storageDriver === 's3' && !values.S3_BUCKET) {
    throw new ConfigError(['S3_BUCKET: required when STORAGE_DRIVER=s3']);
  }
  if (Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(['S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither (neither uses the default AWS credential chain)']);
  }
  const dataDir = resolve(values.TRACKBASE_DATA_DIR);
  return {
    ...values,
    TRACKBASE_DATA_DIR: dataDir,
    JWT_SECRET: values.JWT_SECRET ?? persistedSecret(dataDir),
    SECRETS_KEY:
      values.SECRETS_KEY ??
      (values.NODE_ENV === 'production' ? null : Buffer.from(persistedSecret(dataDir, 'secrets-key', 32), 'base64url')),
    STORAGE_DRIVER: storageDriver,
    ARTIFACTS_DIR: resolve(values.ARTIFACTS_DIR ?? join(dataDir, 'artifacts')),
  };
}

function persistedSecret(dataDir: string, name = 'jwt-secret', bytes = 48): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(bytes).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Values safe to log: secrets and credentials in URLs are masked. */
export function redactedConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config,
    JWT_SECRET: '[redacted]',
    SECRETS_KEY: '[redacted]',
    METRICS_TOKEN: config.METRICS_TOKEN && '[redacted]',
    S3_SECRET_ACCESS_KEY: config.S3_SECRET_ACCESS_KEY && '[redacted]',
    DATABASE_URL: config.DATABASE_URL?.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:[redacted]@'),
    SMTP_URL: config.SMTP_URL?.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:[redacted]@'),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
