import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting of the server, with its default. `npm start` needs none of them;
 * `loadConfigFromEnv` maps the env vars listed in the README onto these.
 */
export interface ServerConfig {
  /** HTTP port for everything: web app, /api, /auth/v1, /ws. 0 picks a free one (tests). */
  port: number;
  host: string;
  /** Where the SQLite database and the generated JWT secret live. */
  dataDir: string;
  /** HS256 secret of embedded auth (and of tokens minted elsewhere with it). Generated and kept in dataDir when unset. */
  jwtSecret: string | undefined;
  /** A real Supabase project: its tokens are verified via JWKS and embedded auth is off. */
  supabaseUrl: string | undefined;
  /** The legacy HS256 secret of that Supabase project, if it still signs with one. */
  supabaseJwtSecret: string | undefined;
  /** The project's anon key, handed to the web app by /api/config. */
  supabaseAnonKey: string | undefined;
  /** PostgreSQL instead of SQLite. */
  databaseUrl: string | undefined;
  /** Redis for fan-out across processes. */
  redisUrl: string | undefined;
  /** Namespace of this deployment's Redis keys and channels. */
  redisPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** send_message per second per connection, and the bucket's burst. */
  rateLimitMessagesPerSec: number;
  rateLimitBurst: number;
  /** Refused (rate_limited) frames in 10 s that close the connection with 4029. */
  floodCloseThreshold: number;
  /** Time to authenticate before close 4008. */
  authTimeoutMs: number;
  /** Server ping interval; a socket silent for a whole interval is terminated. */
  heartbeatIntervalMs: number;
  /** Unsent bytes per connection before close 1013. */
  maxBufferedBytes: number;
  /** Typing expires after this long without a refresh. */
  typingTimeoutMs: number;
  /** The most members a group may hold (section 9); more is 409. */
  maxGroupMembers: number;
  /** Origins whose browser pages may open /ws (an upgrade with an Origin header); default: the server's own. */
  allowedOrigins: string[] | undefined;
  /** Open sockets from one remote address (this process); past it upgrades get 429. */
  maxConnectionsPerAddress: number;
  /** Authenticated sockets of one user (this process); past it authenticate is refused and the socket closed 4029. */
  maxConnectionsPerUser: number;
  /** WebSocket connections of this process; past it upgrades get 503. Unset: the fd limit less a reserve (ws/connection-capacity.ts). */
  maxConnections: number | undefined;
  /** The listen socket's accept queue (the kernel caps it at net.core.somaxconn): a connect storm must fit. */
  listenBacklog: number;
  /**
   * Growth of V8's old generation (bytes) worth one compacting GC once the
   * process is quiet, e.g. after a connect storm (limits/idle-heap-compaction.ts);
   * 0 turns it off. Applies to the process `npm start` runs, not to servers a test makes.
   */
  heapCompactionMinGrowthBytes: number;
  /**
   * A signal that compacts the heap at once (`kill -USR2 <pid>`), as Redis's
   * MEMORY PURGE does; null: none. Off by default, since tools such as nodemon
   * send SIGUSR2 to restart. Applies to the process `npm start` runs.
   */
  heapCompactionSignal: 'SIGUSR2' | 'SIGHUP' | null;
  /** HTTP: the whole request, headers and body, must arrive within this (else 408 and closed). */
  httpRequestTimeoutMs: number;
  /** HTTP: the headers must arrive within this. */
  httpHeadersTimeoutMs: number;
  /** HTTP: a socket with no traffic for this long is closed (not /ws: its heartbeat keeps it). */
  httpIdleTimeoutMs: number;
  /** HTTP: how long a kept-alive socket waits for its next request. */
  httpKeepAliveTimeoutMs: number;
  /** react, edit_message, delete_message, mark_read and typing: each per second per user (0: off), and the burst. */
  rateLimitChangesPerSec: number;
  rateLimitChangesBurst: number;
  /** Section 14: stream_message per second per connection (0: off); refusals never end a stream. */
  streamMessagesPerSec: number;
  /** REST requests per minute per user (0 turns the REST limits off). */
  restRateLimitPerMin: number;
  /** GET /api/users per minute per user. */
  directoryRateLimitPerMin: number;
  /** Conversations created and group members added per minute per user. */
  groupRateLimitPerMin: number;
  /** Lifetime of access tokens issued by embedded auth. */
  accessTokenTtlSec: number;
  /** Embedded auth: sign-ins and sign-ups per IP per 5 minutes (0 turns the throttle off). */
  authRateLimit: number;
  /** Embedded auth: failed sign-ins per account before each guess waits a doubling delay (0 turns it off). */
  authAccountAttempts: number;
  /** The longest of those delays, in seconds. */
  authMaxDelaySec: number;
  /** Shortest password the embedded auth accepts, in characters. */
  passwordMinLength: number;
  /** A file of refused passwords, one a line, on top of the built-in common ones. */
  passwordBlocklistFile: string | undefined;
  /** SMTP server for recovery and e-mail change mail, e.g. smtp://user:pass@mail.example.com:587; unset logs the links. */
  smtpUrl: string | undefined;
  /** The From of those e-mails. */
  smtpFrom: string;
  /** Lifetime of recovery and e-mail change links and codes. */
  recoveryTtlSec: number;
  /** Tokens whose iat is further in the future than this are refused. */
  tokenClockSkewSec: number;
  /** Tokens meant to live longer than this (exp - iat) are refused. */
  tokenMaxLifetimeSec: number;
  /** How often sockets of sessions signed out on another process are found and closed. */
  sessionCheckIntervalMs: number;
  /** The public origin, e.g. https://chat.example.com (the `iss` of embedded tokens); default: each request's own. */
  publicUrl: string | undefined;
  /** SQLite durability: FULL fsyncs every commit (default), NORMAL is durable against process crashes only. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Built web app to serve; null serves none. */
  webDistDir: string | null;
  /** Attachment bytes in this S3-compatible bucket instead of under dataDir (section 11). */
  s3Bucket: string | undefined;
  /** The S3-compatible service (MinIO, Supabase Storage, ...); unset: AWS for the region. */
  s3Endpoint: string | undefined;
  s3Region: string;
  /** Unset: the AWS SDK's own credential chain. */
  s3AccessKeyId: string | undefined;
  s3SecretAccessKey: string | undefined;
  /** Bucket in the path instead of the host name: most S3-compatible services need it. */
  s3ForcePathStyle: boolean;
  /** The largest upload (section 11); more is 413. */
  maxAttachmentBytes: number;
  /** Web Push VAPID key pair (base64url, section 13); generated once in dataDir when unset. */
  vapidPublicKey: string | undefined;
  vapidPrivateKey: string | undefined;
  /** Who runs this server, for push services: a mailto: or https: URL. */
  vapidSubject: string;
  /** Pushes carry the sender's name and the text; false: "New message" only. */
  pushPreviews: boolean;
  /** Push endpoints may be http:// and on private or loopback addresses (development, tests). */
  pushAllowPrivate: boolean;
  /** Webhook URLs may resolve to private, loopback or link-local addresses (development, tests; section 14). */
  webhookAllowPrivate: boolean;
  /**
   * The key (base64 of 32 bytes) that seals agents' webhook secrets (section 14, auth/secret-box.ts);
   * generated once in dataDir when unset. Every process of one database must have the same.
   */
  agentSecretKey: string | undefined;
}

export const DEFAULT_WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

export const defaultConfig: ServerConfig = {
  port: 3000,
  host: '0.0.0.0',
  dataDir: './data',
  jwtSecret: undefined,
  supabaseUrl: undefined,
  supabaseJwtSecret: undefined,
  supabaseAnonKey: undefined,
  databaseUrl: undefined,
  redisUrl: undefined,
  redisPrefix: 'chat:',
  logLevel: 'info',
  rateLimitMessagesPerSec: 20,
  rateLimitBurst: 50,
  floodCloseThreshold: 100,
  authTimeoutMs: 10_000,
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  typingTimeoutMs: 6000,
  maxGroupMembers: 256,
  allowedOrigins: undefined,
  maxConnectionsPerAddress: 1000,
  maxConnectionsPerUser: 32,
  maxConnections: undefined,
  listenBacklog: 4096,
  heapCompactionMinGrowthBytes: 64 * 1024 * 1024,
  heapCompactionSignal: null,
  httpRequestTimeoutMs: 120_000,
  httpHeadersTimeoutMs: 20_000,
  httpIdleTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 72_000,
  rateLimitChangesPerSec: 10,
  rateLimitChangesBurst: 50,
  streamMessagesPerSec: 20,
  restRateLimitPerMin: 600,
  directoryRateLimitPerMin: 60,
  groupRateLimitPerMin: 30,
  accessTokenTtlSec: 3600,
  authRateLimit: 30,
  authAccountAttempts: 5,
  authMaxDelaySec: 300,
  passwordMinLength: 8,
  passwordBlocklistFile: undefined,
  smtpUrl: undefined,
  smtpFrom: 'Chat <no-reply@localhost>',
  recoveryTtlSec: 3600,
  tokenClockSkewSec: 60,
  tokenMaxLifetimeSec: 7 * 24 * 3600,
  sessionCheckIntervalMs: 30_000,
  publicUrl: undefined,
  sqliteSynchronous: 'FULL',
  webDistDir: DEFAULT_WEB_DIST,
  s3Bucket: undefined,
  s3Endpoint: undefined,
  s3Region: 'us-east-1',
  s3AccessKeyId: undefined,
  s3SecretAccessKey: undefined,
  s3ForcePathStyle: false,
  maxAttachmentBytes: 25 * 1024 * 1024,
  vapidPublicKey: undefined,
  vapidPrivateKey: undefined,
  vapidSubject: 'mailto:admin@localhost',
  pushPreviews: true,
  pushAllowPrivate: false,
  webhookAllowPrivate: false,
  agentSecretKey: undefined,
};

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const text = z.string().trim().min(1);

const EnvSchema = z.object({
  PORT: int(0, 65535).optional(),
  HOST: text.optional(),
  DATA_DIR: text.optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_JWT_SECRET: z.string().min(32, 'SUPABASE_JWT_SECRET must be at least 32 characters').optional(),
  SUPABASE_ANON_KEY: text.optional(),
  DATABASE_URL: z.url().optional(),
  REDIS_URL: z.url().optional(),
  REDIS_PREFIX: text.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  RATE_LIMIT_MESSAGES_PER_SEC: int(1).optional(),
  RATE_LIMIT_BURST: int(1).optional(),
  FLOOD_CLOSE_THRESHOLD: int(1).optional(),
  AUTH_TIMEOUT_MS: int(100).optional(),
  HEARTBEAT_INTERVAL_MS: int(100).optional(),
  MAX_BUFFERED_BYTES: int(1024).optional(),
  TYPING_TIMEOUT_MS: int(100).optional(),
  MAX_GROUP_MEMBERS: int(2).optional(),
  ALLOWED_ORIGINS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().transform((url) => new URL(url).origin)).min(1, 'ALLOWED_ORIGINS lists no origin'))
    .optional(),
  MAX_CONNECTIONS_PER_ADDRESS: int(1).optional(),
  MAX_CONNECTIONS_PER_USER: int(1).optional(),
  MAX_CONNECTIONS: int(1).optional(),
  LISTEN_BACKLOG: int(1, 65535).optional(),
  HEAP_COMPACTION_MIN_GROWTH_MIB: int(0).optional(),
  HEAP_COMPACTION_SIGNAL: z.enum(['SIGUSR2', 'SIGHUP']).optional(),
  HTTP_REQUEST_TIMEOUT_MS: int(100).optional(),
  HTTP_HEADERS_TIMEOUT_MS: int(100).optional(),
  HTTP_IDLE_TIMEOUT_MS: int(100).optional(),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100).optional(),
  RATE_LIMIT_CHANGES_PER_SEC: int(0).optional(),
  RATE_LIMIT_CHANGES_BURST: int(1).optional(),
  STREAM_MESSAGES_PER_SECOND: int(0).optional(),
  RATE_LIMIT_REST_PER_MIN: int(0).optional(),
  RATE_LIMIT_USERS_PER_MIN: int(1).optional(),
  RATE_LIMIT_GROUPS_PER_MIN: int(1).optional(),
  ACCESS_TOKEN_TTL_SEC: int(30).optional(),
  AUTH_RATE_LIMIT: int(0).optional(),
  AUTH_ACCOUNT_ATTEMPTS: int(0).optional(),
  AUTH_MAX_DELAY_SEC: int(1).optional(),
  PASSWORD_MIN_LENGTH: int(6, 72).optional(),
  PASSWORD_BLOCKLIST_FILE: text.optional(),
  SMTP_URL: z.url().optional(),
  SMTP_FROM: text.optional(),
  RECOVERY_TTL_SEC: int(60).optional(),
  TOKEN_CLOCK_SKEW_SEC: int(0, 3600).optional(),
  TOKEN_MAX_LIFETIME_SEC: int(60).optional(),
  SESSION_CHECK_INTERVAL_MS: int(100).optional(),
  PUBLIC_URL: z.url().optional(),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).optional(),
  WEB_DIST_DIR: text.optional(),
  S3_BUCKET: z.string().trim().min(3, 'S3_BUCKET must be at least 3 characters').optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: text.optional(),
  S3_ACCESS_KEY_ID: text.optional(),
  S3_SECRET_ACCESS_KEY: text.optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  MAX_ATTACHMENT_BYTES: int(1).optional(),
  VAPID_PUBLIC_KEY: text.optional(),
  VAPID_PRIVATE_KEY: text.optional(),
  VAPID_SUBJECT: z
    .string()
    .trim()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'VAPID_SUBJECT must be a mailto: or https: URL')
    .optional(),
  PUSH_PREVIEWS: z.enum(['true', 'false']).optional(),
  PUSH_ALLOW_PRIVATE: z.enum(['true', 'false']).optional(),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).optional(),
  AGENT_SECRET_KEY: text
    .refine(
      (key) => /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32,
      'AGENT_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment, validated; a bad value stops the start with a message naming it. */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerConfig> {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = EnvSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const config: Partial<ServerConfig> = {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    jwtSecret: e.JWT_SECRET,
    supabaseUrl: e.SUPABASE_URL?.replace(/\/+$/, ''),
    supabaseJwtSecret: e.SUPABASE_JWT_SECRET,
    supabaseAnonKey: e.SUPABASE_ANON_KEY,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    rateLimitMessagesPerSec: e.RATE_LIMIT_MESSAGES_PER_SEC,
    rateLimitBurst: e.RATE_LIMIT_BURST,
    floodCloseThreshold: e.FLOOD_CLOSE_THRESHOLD,
    authTimeoutMs: e.AUTH_TIMEOUT_MS,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    maxBufferedBytes: e.MAX_BUFFERED_BYTES,
    typingTimeoutMs: e.TYPING_TIMEOUT_MS,
    maxGroupMembers: e.MAX_GROUP_MEMBERS,
    allowedOrigins: e.ALLOWED_ORIGINS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    maxConnections: e.MAX_CONNECTIONS,
    listenBacklog: e.LISTEN_BACKLOG,
    heapCompactionMinGrowthBytes:
      e.HEAP_COMPACTION_MIN_GROWTH_MIB === undefined
        ? undefined
        : e.HEAP_COMPACTION_MIN_GROWTH_MIB * 1024 * 1024,
    heapCompactionSignal: e.HEAP_COMPACTION_SIGNAL,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpIdleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
    httpKeepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    rateLimitChangesPerSec: e.RATE_LIMIT_CHANGES_PER_SEC,
    rateLimitChangesBurst: e.RATE_LIMIT_CHANGES_BURST,
    streamMessagesPerSec: e.STREAM_MESSAGES_PER_SECOND,
    restRateLimitPerMin: e.RATE_LIMIT_REST_PER_MIN,
    directoryRateLimitPerMin: e.RATE_LIMIT_USERS_PER_MIN,
    groupRateLimitPerMin: e.RATE_LIMIT_GROUPS_PER_MIN,
    accessTokenTtlSec: e.ACCESS_TOKEN_TTL_SEC,
    authRateLimit: e.AUTH_RATE_LIMIT,
    authAccountAttempts: e.AUTH_ACCOUNT_ATTEMPTS,
    authMaxDelaySec: e.AUTH_MAX_DELAY_SEC,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    passwordBlocklistFile: e.PASSWORD_BLOCKLIST_FILE,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    recoveryTtlSec: e.RECOVERY_TTL_SEC,
    tokenClockSkewSec: e.TOKEN_CLOCK_SKEW_SEC,
    tokenMaxLifetimeSec: e.TOKEN_MAX_LIFETIME_SEC,
    sessionCheckIntervalMs: e.SESSION_CHECK_INTERVAL_MS,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    webDistDir: e.WEB_DIST_DIR,
    s3Bucket: e.S3_BUCKET,
    s3Endpoint: e.S3_ENDPOINT?.replace(/\/+$/, ''),
    s3Region: e.S3_REGION,
    s3AccessKeyId: e.S3_ACCESS_KEY_ID,
    s3SecretAccessKey: e.S3_SECRET_ACCESS_KEY,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE === undefined ? undefined : e.S3_FORCE_PATH_STYLE === 'true',
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    vapidPublicKey: e.VAPID_PUBLIC_KEY,
    vapidPrivateKey: e.VAPID_PRIVATE_KEY,
    vapidSubject: e.VAPID_SUBJECT,
    pushPreviews: e.PUSH_PREVIEWS === undefined ? undefined : e.PUSH_PREVIEWS === 'true',
    pushAllowPrivate: e.PUSH_ALLOW_PRIVATE === undefined ? undefined : e.PUSH_ALLOW_PRIVATE === 'true',
    webhookAllowPrivate:
      e.WEBHOOK_ALLOW_PRIVATE === undefined ? undefined : e.WEBHOOK_ALLOW_PRIVATE === 'true',
    agentSecretKey: e.AGENT_SECRET_KEY,
  };
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}

/** Fills defaults and checks combinations that a schema of single values cannot. */
export function resolveConfig(overrides: Partial<ServerConfig>): ServerConfig {
  const config: ServerConfig = { ...defaultConfig, ...overrides };
  if (config.supabaseAnonKey && !config.supabaseUrl) {
    throw new ConfigError('SUPABASE_ANON_KEY is set without SUPABASE_URL');
  }
  if (config.supabaseJwtSecret && !config.supabaseUrl) {
    throw new ConfigError('SUPABASE_JWT_SECRET is set without SUPABASE_URL');
  }
  if (config.accessTokenTtlSec > config.tokenMaxLifetimeSec) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL_SEC is longer than TOKEN_MAX_LIFETIME_SEC: no issued token would be accepted',
    );
  }
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS is longer than HTTP_REQUEST_TIMEOUT_MS');
  }
  if ((config.s3AccessKeyId === undefined) !== (config.s3SecretAccessKey === undefined)) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  if ((config.vapidPublicKey === undefined) !== (config.vapidPrivateKey === undefined)) {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together');
  }
  return config;
}

/** Embedded auth needs a stable secret: generated once and kept beside the data. */
export function ensureJwtSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
