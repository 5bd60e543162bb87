import { availableParallelism } from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { parseAllowedHosts } from './shared/outbound/address-policy.ts'

/** Parses the environment once at start-up. Any problem names the variable and stops the process. */

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
const optionalSecret = z.string().min(1).optional()
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: (SQLite) or postgresql:// (PostgreSQL)')
    .optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MASTER_KEY: optionalSecret,
  PREVIOUS_MASTER_KEYS: z.string().optional(),
  API_KEY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300, 'must be at most 300 (a longer window weakens reuse detection)').default(30),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  PASSWORD_HASH_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(64),
  REGISTRATION_RATE_PER_HOUR: z.coerce.number().int().min(0).default(10),
  ADMIN_USERNAME: z.string().min(3).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  FIRST_USER_IS_ADMIN: bool.default(false),
  APP_MODE: z.enum(['single-user', 'multi-user']).default('multi-user'),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  RELAY_BODY_LIMIT_BYTES: positiveInt.default(8 * 1024 * 1024),
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  REQUEST_TIMEOUT_MS: positiveInt.default(60_000),
  HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  TRUST_PROXY: bool.default(false),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: port.optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  CHAT_RESUME_GRACE_S: z.coerce.number().int().min(0).max(3600).default(30),
  CHAT_RESUME_MAX_EVENTS: z.coerce.number().int().min(16).max(1_000_000).default(4096),
  STREAM_STALE_AFTER_MS: z.coerce.number().int().min(3000, 'must be at least 3000 (replies save progress every second)').default(30_000),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: positiveInt.default(60_000),
  UPSTREAM_IDLE_TIMEOUT_MS: positiveInt.default(120_000),
  UPSTREAM_TOTAL_TIMEOUT_MS: positiveInt.default(600_000),
  OUTBOUND_ALLOW_PRIVATE: bool.default(false),
  OUTBOUND_ALLOWED_HOSTS: z.string().default(''),
  ANTHROPIC_OAUTH_AUTHORIZE_URL: httpUrl.default('https://claude.ai/oauth/authorize'),
  ANTHROPIC_OAUTH_TOKEN_URL: httpUrl.default('https://platform.claude.com/v1/oauth/token'),
  ANTHROPIC_OAUTH_CLIENT_ID: z.string().min(1).default('9d1c250a-e61b-44d9-88ed-5944d1962f5e'),
  ANTHROPIC_OAUTH_REDIRECT_URI: httpUrl.default('https://platform.claude.com/oauth/code/callback'),
  ANTHROPIC_OAUTH_SCOPES: z.string().min(1).default('user:profile user:inference'),
  GOOGLE_OAUTH_AUTHORIZE_URL: httpUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_OAUTH_TOKEN_URL: httpUrl.default('https://oauth2.googleapis.com/token'),
  // Gemini CLI's installed-app client: public by design (RFC 8252), as in its open-source code.
  GOOGLE_OAUTH_CLIENT_ID: z.string().min(1).default('681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com'),
  GOOGLE_OAUTH_CLIENT_SECRET: z.string().min(1).default('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'),
  GOOGLE_OAUTH_REDIRECT_URI: httpUrl.default('https://codeassist.google.com/authcode'),
  GOOGLE_OAUTH_SCOPES: z
    .string()
    .min(1)
    .default('https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'),
  OAUTH_REFRESH_SKEW_S: z.coerce.number().int().min(0).default(60),
  OAUTH_SWEEP_INTERVAL_S: z.coerce.number().int().min(0).default(60),
  OAUTH_SWEEP_WINDOW_S: positiveInt.default(600),
  ACCOUNT_STICKY_TTL_S: z.coerce.number().int().min(0).default(3600),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  dataDir: string
  databaseUrl: string
  databasePoolSize: number
  redisUrl?: string
  logLevel: Env['LOG_LEVEL']
  /** Secrets; when absent outside production they are generated into the data directory. */
  secrets: { jwtSecret?: string; masterKey?: Buffer; previousMasterKeys: Buffer[]; apiKeyPepper?: string }
  auth: {
    accessTokenTtlSeconds: number
    refreshTokenTtlSeconds: number
    /** A rotated refresh token presented again within this many seconds gets the same successor; 0: never. */
    refreshReuseGraceSeconds: number
    bcryptCost: number
    /** Worker threads that run bcrypt, and how many checks may wait for one before 503. */
    passwordHashWorkers: number
    passwordHashQueue: number
    /** Self-registrations per client address per hour; 0: no limit. */
    registrationsPerHour: number
    adminUsername?: string
    adminPassword?: string
    firstUserIsAdmin: boolean
  }
  initialMode: Env['APP_MODE']
  corsOrigins: string[]
  /** Largest request body everywhere but /v1. */
  bodyLimitBytes: number
  /** Largest request body on /v1 (the relay: whole conversations, base64 images). */
  relayBodyLimitBytes: number
  /** Upstream requests one relay call may make in total, retries and pooled accounts included. */
  relayMaxAttempts: number
  /** The inbound HTTP server: whole request (headers and body), headers alone, idle keep-alive. */
  inbound: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number }
  trustProxy: boolean
  metricsToken?: string
  /** When set, /metrics is served only on this port (and no longer on PORT). */
  metricsPort?: number
  shutdownGraceMs: number
  /** PostgreSQL: a `streaming` reply with no saved progress for this long belongs to a dead process. */
  streamStaleAfterMs: number
  /** CHAT_RESUME_GRACE_S and CHAT_RESUME_MAX_EVENTS: how long a reply outlives its client, and how many events it keeps for reconnects. */
  chat: { resumeGraceSeconds: number; resumeMaxEvents: number }
  /** Every outbound call (providers, OAuth token endpoints, model tests); total: the whole call, streamed body included. */
  upstream: { connectTimeoutMs: number; headersTimeoutMs: number; idleTimeoutMs: number; totalTimeoutMs: number }
  /**
   * What calls through personal (user-owned) models may connect to: public addresses only, unless
   * allowPrivate (everything but cloud metadata endpoints) or the address or host is allow-listed.
   */
  outbound: { allowPrivate: boolean; allowedHosts: string[] }
  oauth: {
    anthropic: OAuthClientConfig
    google: OAuthClientConfig & { clientSecret: string }
    /** Refresh an access token this long before it expires. */
    refreshSkewSeconds: number
    /** The background sweep's period (0: off) and how far ahead it looks. */
    sweepIntervalSeconds: number
    sweepWindowSeconds: number
  }
  /** How long a conversation keeps going to the same upstream account (prompt caching); 0: off. */
  accountStickyTtlSeconds: number
}

export interface OAuthClientConfig {
  authorizeUrl: string
  tokenUrl: string
  clientId: string
  redirectUri: string
  scopes: string[]
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** A 32-byte key given as base64 (44 chars) or hex (64 chars). */
export function parseMasterKey(value: string): Buffer | undefined {
  const trimmed = value.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64')
    if (key.length === 32) return key
  }
  return undefined
}

function keyList(name: string, raw: string | undefined, problems: string[]): Buffer[] {
  if (!raw) return []
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((item, i) => {
      const key = parseMasterKey(item)
      if (!key) problems.push(`${name}: entry ${i + 1} must be a 32-byte key in base64 or hex`)
      return key ? [key] : []
    })
}

const words = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean)

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as most .env tooling writes them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`))
  }
  const env = parsed.data
  const problems: string[] = []

  const masterKey = env.MASTER_KEY === undefined ? undefined : parseMasterKey(env.MASTER_KEY)
  if (env.MASTER_KEY !== undefined && !masterKey) problems.push('MASTER_KEY: must be a 32-byte key in base64 or hex')
  const previousMasterKeys = keyList('PREVIOUS_MASTER_KEYS', env.PREVIOUS_MASTER_KEYS, problems)

  if (env.NODE_ENV === 'production') {
    for (const name of ['JWT_SECRET', 'MASTER_KEY', 'API_KEY_PEPPER'] as const) {
      if (!env[name]) problems.push(`${name}: required when NODE_ENV=production (it is generated only for local installs)`)
    }
  }
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) problems.push('HEADERS_TIMEOUT_MS: must not be larger than REQUEST_TIMEOUT_MS')
  const allowedHosts = parseAllowedHosts(env.OUTBOUND_ALLOWED_HOSTS)
  for (const problem of allowedHosts.problems) problems.push(`OUTBOUND_ALLOWED_HOSTS: ${problem}`)
  if (problems.length) throw new ConfigError(problems)

  const dataDir = path.resolve(env.DATA_DIR)
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL ?? `file:${path.join(dataDir, 'app.db')}`,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    secrets: { jwtSecret: env.JWT_SECRET, masterKey, previousMasterKeys, apiKeyPepper: env.API_KEY_PEPPER },
    auth: {
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      bcryptCost: env.BCRYPT_COST,
      passwordHashWorkers: env.PASSWORD_HASH_WORKERS ?? Math.min(2, availableParallelism()),
      passwordHashQueue: env.PASSWORD_HASH_QUEUE,
      registrationsPerHour: env.REGISTRATION_RATE_PER_HOUR,
      adminUsername: env.ADMIN_USERNAME,
      adminPassword: env.ADMIN_PASSWORD,
      firstUserIsAdmin: env.FIRST_USER_IS_ADMIN,
    },
    initialMode: env.APP_MODE,
    corsOrigins: env.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    relayBodyLimitBytes: env.RELAY_BODY_LIMIT_BYTES,
    relayMaxAttempts: env.RELAY_MAX_ATTEMPTS,
    inbound: { requestTimeoutMs: env.REQUEST_TIMEOUT_MS, headersTimeoutMs: env.HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS },
    trustProxy: env.TRUST_PROXY,
    metricsToken: env.METRICS_TOKEN,
    metricsPort: env.METRICS_PORT,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    streamStaleAfterMs: env.STREAM_STALE_AFTER_MS,
    chat: { resumeGraceSeconds: env.CHAT_RESUME_GRACE_S, resumeMaxEvents: env.CHAT_RESUME_MAX_EVENTS },
    upstream: {
      connectTimeoutMs: env.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: env.UPSTREAM_IDLE_TIMEOUT_MS,
      totalTimeoutMs: env.UPSTREAM_TOTAL_TIMEOUT_MS,
    },
    outbound: {
      allowPrivate: env.OUTBOUND_ALLOW_PRIVATE,
      allowedHosts: env.OUTBOUND_ALLOWED_HOSTS.split(',').map((s) => s.trim()).filter(Boolean),
    },
    oauth: {
      anthropic: {
        authorizeUrl: env.ANTHROPIC_OAUTH_AUTHORIZE_URL,
        tokenUrl: env.ANTHROPIC_OAUTH_TOKEN_URL,
        clientId: env.ANTHROPIC_OAUTH_CLIENT_ID,
        redirectUri: env.ANTHROPIC_OAUTH_REDIRECT_URI,
        scopes: words(env.ANTHROPIC_OAUTH_SCOPES),
      },
      google: {
        authorizeUrl: env.GOOGLE_OAUTH_AUTHORIZE_URL,
        tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL,
        clientId: env.GOOGLE_OAUTH_CLIENT_ID,
        clientSecret: env.GOOGLE_OAUTH_CLIENT_SECRET,
        redirectUri: env.GOOGLE_OAUTH_REDIRECT_URI,
        scopes: words(env.GOOGLE_OAUTH_SCOPES),
      },
      refreshSkewSeconds: env.OAUTH_REFRESH_SKEW_S,
      sweepIntervalSeconds: env.OAUTH_SWEEP_INTERVAL_S,
      sweepWindowSeconds: env.OAUTH_SWEEP_WINDOW_S,
    },
    accountStickyTtlSeconds: env.ACCOUNT_STICKY_TTL_S,
  }
}
