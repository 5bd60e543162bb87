// Latency of the two reads a chat screen makes on every open: the session list and one session's
// messages, authenticated, CONCURRENCY (50) clients in a closed loop for WINDOW_MS (5000) each.
//
//   npx tsx bench/list.bench.ts      SESSIONS (100) per user, MESSAGES (200) in the session read
//
// The app is bench/lib/relay-server.ts (SQLite, production wiring); the messages are made by chats
// against the test upstream, so they are what the product stores.
import http from 'node:http'
import { startChild } from './lib/proc.ts'

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50)
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 5000)
const SESSIONS = Number(process.env.SESSIONS ?? 100)
const MESSAGES = Number(process.env.MESSAGES ?? 200)
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

async function measure(name: string, url: string, token: string): Promise<string> {
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
  times.sort((a, b) => a - b)
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((times.length - 1) * p))]!.toFixed(1)
  return `| ${name} | ${CONCURRENCY} | ${((times.length * 1000) / WINDOW_MS).toFixed(0)} | ${at(0.5)} | ${at(0.95)} | ${at(0.99)} | ${errors} |`
}

const upstream = await startChild<{ url: string; key: string }>('bench/lib/upstream-process.ts')
const app = await startChild<{ url: string }>('bench/lib/relay-server.ts')
try {
  const base = app.info.url
  const { accessToken } = await json(`${base}/api/auth/login`, { body: ADMIN })
  const model = await json(`${base}/api/models/system`, { token: accessToken, body: { providerKind: 'openai', displayName: 'bench', modelId: 'gpt-4o-mini', alias: 'bench-gpt', baseUrl: `${upstream.info.url}/v1`, apiKey: upstream.info.key, visibility: 'all' } })
  const ids: string[] = []
  for (let i = 0; i < SESSIONS; i++) ids.push((await json(`${base}/api/sessions`, { token: accessToken, body: { modelId: model.id } })).id)
  // Each chat stores two messages (the question and the reply).
  for (let i = 0; i < MESSAGES / 2; i++) await json(`${base}/api/chat/stream`, { token: accessToken, body: { sessionId: ids[0], content: `Question ${i}` } })
  console.log(`| read | c | requests/s | p50 ms | p95 ms | p99 ms | errors |`)
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  console.log(await measure(`GET /api/sessions (${SESSIONS} sessions)`, `${base}/api/sessions`, accessToken))
  console.log(await measure(`GET /api/sessions/{id}/messages (${MESSAGES} messages)`, `${base}/api/sessions/${ids[0]}/messages`, accessToken))
} finally {
  upstream.stop()
  app.stop()
}
