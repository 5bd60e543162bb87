// Looks for the secrets a test used (passwords, provider API keys, platform keys, JWTs, refresh and
// OAuth tokens, metrics tokens) everywhere a server process leaves data: its captured logs, its
// database (the SQLite files read as bytes, -wal and -shm included, or every row of a PostgreSQL
// database), its Redis keys, its data directory and the responses it gave. Each secret is looked
// for as text and in the encodings a careless write would use (base64 in any alignment, base64url,
// hex, JSON- and URL-escaped), so a key stored "encoded" is still found.
//
//   const secrets = new SecretList()
//   secrets.add('provider key', PROVIDER_KEY)
//   secrets.fromBody('login', login.body)           // accessToken, refreshToken, secret
//   expect(await findSecretsAtRest(secrets, { logs: server.output(), dataDir: server.dataDir })).toEqual([])
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'

export interface Secret {
  label: string
  value: string
}

/** Secrets are at least this long, so that finding one is never a coincidence. */
const MIN_SECRET_LENGTH = 8
/** Encoded forms shorter than this are not searched (a few base64 characters match by chance). */
const MIN_NEEDLE_LENGTH = 12

export class SecretList {
  private readonly byValue = new Map<string, string>()

  add(label: string, value: unknown): this {
    if (typeof value !== 'string' || value === '') return this
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`secret "${label}" is too short to look for (${value.length} characters)`)
    if (!this.byValue.has(value)) this.byValue.set(value, label)
    return this
  }

  /** The secrets an answer hands out: access and refresh tokens, a platform key's secret; a JWT's signature alone too. */
  fromBody(label: string, body: unknown): this {
    const b = (body ?? {}) as Record<string, unknown>
    for (const field of ['accessToken', 'refreshToken', 'secret'] as const) {
      const value = b[field]
      if (typeof value !== 'string') continue
      this.add(`${label} ${field}`, value)
      const parts = value.split('.')
      if (parts.length === 3 && parts[2]!.length >= MIN_SECRET_LENGTH) this.add(`${label} ${field} (JWT signature)`, parts[2])
    }
    return this
  }

  list(): Secret[] {
    return [...this.byValue].map(([value, label]) => ({ label, value }))
  }

  get size(): number {
    return this.byValue.size
  }
}

export interface SecretSources {
  /** A server process's captured stdout and stderr. */
  logs?: string
  /** Response bodies (and headers) the test received. */
  responses?: string[]
  /** Files read as bytes; missing ones are skipped (an -wal SQLite removed on close). */
  files?: string[]
  /** Every file under this directory, except `exclude` (names relative to it). */
  dataDir?: string
  exclude?: string[]
  /** Every row of every table of this PostgreSQL database. */
  postgresUrl?: string
  /** Every key under this prefix (names and values). */
  redis?: { url: string; prefix: string }
}

interface Haystack {
  where: string
  bytes: Buffer
}

/**
 * Where any of `secrets` shows up in `sources`, as readable lines (`provider key (sk-pro…, 36 chars)
 * in logs as base64`); an empty list when none does.
 */
export async function findSecretsAtRest(secrets: SecretList | Secret[], sources: SecretSources): Promise<string[]> {
  const list = Array.isArray(secrets) ? secrets : secrets.list()
  const haystacks = await gather(sources)
  const found: string[] = []
  for (const { label, value } of list) {
    for (const { encoding, needle } of needles(value)) {
      for (const { where, bytes } of haystacks) {
        if (bytes.includes(needle)) found.push(`${label} (${mask(value)}) in ${where}${encoding === 'text' ? '' : ` as ${encoding}`}`)
      }
    }
  }
  return [...new Set(found)]
}

/** How a secret appears in a message about it: enough to recognise, never the secret. */
export const mask = (secret: string): string => `${secret.slice(0, 6)}…, ${secret.length} chars`

function needles(secret: string): Array<{ encoding: string; needle: Buffer }> {
  const raw = Buffer.from(secret, 'utf8')
  const out: Array<{ encoding: string; needle: string }> = [{ encoding: 'text', needle: secret }]
  const escapedJson = JSON.stringify(secret).slice(1, -1)
  if (escapedJson !== secret) out.push({ encoding: 'JSON-escaped', needle: escapedJson })
  const escapedUrl = encodeURIComponent(secret)
  if (escapedUrl !== secret) out.push({ encoding: 'URL-escaped', needle: escapedUrl })
  out.push({ encoding: 'hex', needle: raw.toString('hex') }, { encoding: 'HEX', needle: raw.toString('hex').toUpperCase() })
  // In a longer base64 text the secret starts at any of 3 byte offsets: keep only the characters
  // that its own bytes decide (whole 3-byte groups), for each offset.
  for (const [encoding, alphabet] of [['base64', 'base64'], ['base64url', 'base64url']] as const) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString(alphabet)
      const wholeGroups = Math.floor((offset + raw.length) / 3)
      out.push({ encoding, needle: encoded.slice(offset ? 4 : 0, wholeGroups * 4) })
    }
  }
  const seen = new Set<string>()
  return out
    .filter(({ needle }) => needle.length >= Math.min(MIN_NEEDLE_LENGTH, secret.length) && !seen.has(needle) && seen.add(needle))
    .map(({ encoding, needle }) => ({ encoding, needle: Buffer.from(needle, 'utf8') }))
}

async function gather(sources: SecretSources): Promise<Haystack[]> {
  const haystacks: Haystack[] = []
  if (sources.logs !== undefined) haystacks.push({ where: 'logs', bytes: Buffer.from(sources.logs, 'utf8') })
  sources.responses?.forEach((text, i) => haystacks.push({ where: `response ${i + 1}`, bytes: Buffer.from(text, 'utf8') }))
  const files = [...(sources.files ?? [])]
  if (sources.dataDir) {
    const excluded = new Set(sources.exclude ?? [])
    for (const entry of readdirSync(sources.dataDir, { recursive: true, encoding: 'utf8' })) {
      const file = path.join(sources.dataDir, entry)
      if (!excluded.has(entry) && statSync(file).isFile()) files.push(file)
    }
  }
  for (const file of new Set(files)) {
    try {
      haystacks.push({ where: file, bytes: readFileSync(file) })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  if (sources.postgresUrl) haystacks.push(...(await postgresRows(sources.postgresUrl)))
  if (sources.redis) haystacks.push(await redisKeys(sources.redis.url, sources.redis.prefix))
  return haystacks
}

/** One haystack per table: its rows as JSON (bytea comes out as \x-hex, which the hex needle finds). */
async function postgresRows(url: string): Promise<Haystack[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    )
    const out: Haystack[] = []
    for (const { schema, name } of tables) {
      const quoted = `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`
      const { rows } = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${quoted} t`)
      out.push({ where: `PostgreSQL table ${schema}.${name}`, bytes: Buffer.from(rows.map((r) => r.row).join('\n'), 'utf8') })
    }
    return out
  } finally {
    await client.end()
  }
}

/** Every key under `prefix`, names and values, whatever their type. */
async function redisKeys(url: string, prefix: string): Promise<Haystack> {
  const server = new URL(url)
  server.search = '' // no keyPrefix: keys are read by their full names
  const redis = new Redis(server.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    const parts: Buffer[] = []
    let cursor = '0'
    do {
      const [next, keys] = await redis.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = String(next)
      for (const key of keys) {
        parts.push(key)
        const type = await redis.type(key)
        if (type === 'string') parts.push((await redis.getBuffer(key)) ?? Buffer.alloc(0))
        else if (type === 'hash') parts.push(...Object.entries(await redis.hgetallBuffer(key)).flatMap(([k, v]) => [Buffer.from(k), v]))
        else if (type === 'list') parts.push(...(await redis.lrangeBuffer(key, 0, -1)))
        else if (type === 'set') parts.push(...(await redis.smembersBuffer(key)))
        else if (type === 'zset') parts.push(...(await redis.zrangeBuffer(key, 0, -1)))
        else if (type === 'stream') parts.push(Buffer.from(JSON.stringify(await redis.xrange(key, '-', '+'))))
      }
    } while (cursor !== '0')
    return { where: `Redis keys ${prefix}*`, bytes: Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])) }
  } finally {
    redis.disconnect()
  }
}
