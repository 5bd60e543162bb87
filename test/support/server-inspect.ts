// Looking into a real server process from outside: its JSON log lines, its Prometheus counters, its
// memory as the kernel reports it, and a user with a personal model and a platform key to drive it.
import { readFileSync, writeFileSync } from 'node:fs'
import { call } from './e2e-chat.ts'
import { SecretList } from './secrets-at-rest.ts'
import { UPSTREAM_KEY } from './upstream/server.ts'

export interface LogRecord {
  level: number
  msg?: string
  err?: { stack?: string; message?: string; type?: string }
  [field: string]: unknown
}

/** The process's pino lines (non-JSON lines, e.g. a Node warning, are kept as level-less records). */
export function logRecords(output: string): LogRecord[] {
  return output
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as LogRecord
      } catch {
        return { level: 0, msg: line }
      }
    })
}

/** pino: 50 error, 60 fatal. Lines at those levels, and any line that carries a stack trace. */
export function errorLogs(output: string): LogRecord[] {
  return logRecords(output).filter((r) => r.level >= 50 || typeof r.err?.stack === 'string' || /\n\s+at /.test(String(r.msg ?? '')))
}

/**
 * The sample of a Prometheus counter whose labels include all of `labels`, summed over the others;
 * 0 when there is none.
 */
export function counterValue(metrics: string, name: string, labels: Record<string, string>): number {
  let total = 0
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const close = line.lastIndexOf('}')
    const labelText = line.slice(name.length + 1, close)
    const have = Object.fromEntries([...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(line.slice(close + 1).trim())
  }
  return total
}

/** Every sample of `name` whose `status` label is 5xx. */
export function serverErrorSamples(metrics: string, name = 'chatbase_http_requests_total'): string[] {
  return metrics.split('\n').filter((line) => line.startsWith(`${name}{`) && /status="5\d\d"/.test(line))
}

export interface ProcessMemory {
  /** Resident set size now, bytes. */
  rss: number
  /** Peak resident set size since start or since resetPeakRss(), bytes. */
  peakRss: number
}

/** VmRSS and VmHWM from /proc/<pid>/status (Linux). */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') }
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux 4.0+); false when not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

export interface RelayUser {
  username: string
  password: string
  token: string
  refreshToken: string
  modelId: string
  /** The model's alias, the name relay clients use. */
  alias: string
  /** A platform API key of this user (`Authorization: Bearer` on /v1). */
  platformKey: string
}

/** Registers a user with a personal OpenAI-compatible model on the test upstream and a platform key. */
export async function relayUser(baseUrl: string, upstreamUrl: string, username: string, options: { password?: string; apiKey?: string; alias?: string } = {}): Promise<RelayUser> {
  const password = options.password ?? `${username} long password`
  const alias = options.alias ?? `${username}-model`
  const reg = await call(baseUrl, 'POST', '/api/auth/register', { body: { username, password } })
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`)
  const token = reg.body.accessToken as string
  const model = await call(baseUrl, 'POST', '/api/models', {
    token,
    body: { providerKind: 'openai', displayName: alias, alias, modelId: 'gpt-4o-mini', baseUrl: `${upstreamUrl}/v1`, apiKey: options.apiKey ?? UPSTREAM_KEY },
  })
  if (model.status !== 201) throw new Error(`model for ${username}: ${model.status} ${JSON.stringify(model.body)}`)
  const key = await call(baseUrl, 'POST', '/api/keys', { token, body: { name: `${username} key` } })
  if (key.status !== 201) throw new Error(`platform key for ${username}: ${key.status} ${JSON.stringify(key.body)}`)
  return { username, password, token, refreshToken: reg.body.refreshToken, modelId: model.body.id, alias, platformKey: key.body.secret }
}

/** Every secret a relay user holds (password, tokens, platform key) and its provider key, to look for at rest. */
export function secretsOf(user: RelayUser, providerKey: string = UPSTREAM_KEY): SecretList {
  return new SecretList()
    .add(`${user.username} password`, user.password)
    .fromBody(user.username, { accessToken: user.token, refreshToken: user.refreshToken, secret: user.platformKey })
    .add('provider API key', providerKey)
}
