// Latency of the two reads a chat screen makes on every open: the session list and one session's
// messages, authenticated, CONCURRENCY (50) clients in a closed loop for WINDOW_MS (5000) each.
//
//   npx tsx bench/list.bench.ts      SESSIONS (100) per user, MESSAGES (200) in the session read
//   PROFILE_DIR=/tmp/prof ...        also writes a CPU profile of the app for each read's window
//                                    (summarise one with bench/profile-summary.ts)
//   BASELINE_DIR=<checkout> ...      also measures that checkout's app (rows marked @base), the two
//                                    taking turns ROUNDS (1) times
//
// The app is bench/lib/relay-server.ts (SQLite, production wiring); the messages are made by chats
// against the test upstream, so they are what the product stores.
import http from 'node:http'
import { type Child, startChild } from './lib/proc.ts'
import { startApp } from './lib/app-process.ts'

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50)
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 5000)
const SESSIONS = Number(process.env.SESSIONS ?? 100)
const MESSAGES = Number(process.env.MESSAGES ?? 200)
const PROFILE_DIR = process.env.PROFILE_DIR
const BASELINE_DIR = process.env.BASELINE_DIR
const ROUNDS = Number(process.env.ROUNDS ?? 1)
const ADMIN = { username: 'benchadmin', password: 'bench admin password 1' }

async function json(url: string, init: { token?: string; body?: unknown } = {}): Promise<any> {
  const res = await fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return res.headers.get('content-type')?.includes('json') ? res.json() : res.text()
}

function get(agent: http.Agent, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    http
      .get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume()
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))))
      })
      .on('error', reject)
  })
}

async function measure(name: string, url: string, token: string, profile: () => void): Promise<string> {
  profile()
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const times: number[] = []
  let errors = 0
  const end = performance.now() + WINDOW_MS
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) await get(agent, url, token).then((ms) => times.push(ms), () => errors++)
    }),
  )
  agent.destroy()
  profile()
  times.sort((a, b) => a - b)
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((times.length - 1) * p))]!.toFixed(1)
  return `| ${name} | ${CONCURRENCY} | ${((times.length * 1000) / WINDOW_MS).toFixed(0)} | ${at(0.5)} | ${at(0.95)} | ${at(0.99)} | ${errors} |`
}

interface Target {
  name: string
  app: Child<{ url: string }>
  token: string
  sessionId: string
}

/** One user with SESSIONS sessions, the first of them with MESSAGES messages. */
async function prepare(name: string, app: Target['app'], upstreamUrl: string, upstreamKey: string): Promise<Target> {
  const base = app.info.url
  const { accessToken } = await json(`${base}/api/auth/login`, { body: ADMIN })
  const model = await json(`${base}/api/models/system`, { token: accessToken, body: { providerKind: 'openai', displayName: 'bench', modelId: 'gpt-4o-mini', alias: 'bench-gpt', baseUrl: `${upstreamUrl}/v1`, apiKey: upstreamKey, visibility: 'all' } })
  const ids: string[] = []
  for (let i = 0; i < SESSIONS; i++) ids.push((await json(`${base}/api/sessions`, { token: accessToken, body: { modelId: model.id } })).id)
  // Each chat stores two messages (the question and the reply).
  for (let i = 0; i < MESSAGES / 2; i++) await json(`${base}/api/chat/stream`, { token: accessToken, body: { sessionId: ids[0], content: `Question ${i}` } })
  return { name, app, token: accessToken, sessionId: ids[0]! }
}

const upstream = await startChild<{ url: string; key: string }>('bench/lib/upstream-process.ts')
const apps = [await startApp(PROFILE_DIR ? { PROFILE_DIR } : {})]
if (BASELINE_DIR) apps.push(await startApp({}, BASELINE_DIR))
try {
  const targets = [await prepare('', apps[0]!, upstream.info.url, upstream.info.key)]
  if (apps[1]) targets.push(await prepare('@base', apps[1], upstream.info.url, upstream.info.key))
  const profile = (target: Target) => () => void (PROFILE_DIR && target === targets[0] && target.app.child.kill('SIGUSR2'))
  console.log(`| read | c | requests/s | p50 ms | p95 ms | p99 ms | errors |`)
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  // With a baseline the two apps take turns, ROUNDS times, so both see the same machine.
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      const base = target.app.info.url
      console.log(await measure(`GET /api/sessions${target.name} (${SESSIONS} sessions)`, `${base}/api/sessions`, target.token, profile(target)))
      console.log(await measure(`GET /api/sessions/{id}/messages${target.name} (${MESSAGES} messages)`, `${base}/api/sessions/${target.sessionId}/messages`, target.token, profile(target)))
    }
  }
} finally {
  upstream.stop()
  for (const app of apps) app.stop()
}
