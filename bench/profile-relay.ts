// Run: npx tsx bench/profile-relay.ts            (about 20 s; writes a CPU profile of the app under relay load)
//      MODE=chat npx tsx bench/profile-relay.ts  (the same under POST /api/chat/stream, one session per stream)
// Env: C (100) concurrent streams, WINDOW_MS (6000), PROFILE_DIR (/tmp), MODE (relay | chat).
// Prints the profile's path and its top self-time functions; open the file in Chrome DevTools or speedscope.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { startChild } from './lib/proc.ts'
import { startApp } from './lib/app-process.ts'
import { runLoad } from './lib/load.ts'

const C = Number(process.env.C ?? 100)
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 6000)
const PROFILE_DIR = process.env.PROFILE_DIR ?? '/tmp'
const MODE = process.env.MODE === 'chat' ? 'chat' : 'relay'
const ADMIN = { username: 'benchadmin', password: 'bench admin password 1' }

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as any
}

const upstream = await startChild<{ url: string; key: string }>('bench/lib/upstream-process.ts')
const app = await startApp({ PROFILE_DIR })
try {
  const { accessToken } = await post(`${app.info.url}/api/auth/login`, ADMIN)
  const model = await post(`${app.info.url}/api/models/system`, { providerKind: 'openai', displayName: 'bench', modelId: 'gpt-4o-mini', alias: 'bench-gpt', baseUrl: `${upstream.info.url}/v1`, apiKey: upstream.info.key, visibility: 'all' }, accessToken)
  const { secret } = await post(`${app.info.url}/api/keys`, { name: 'bench' }, accessToken)
  const sessions: string[] = []
  if (MODE === 'chat') for (let i = 0; i < C; i++) sessions.push((await post(`${app.info.url}/api/sessions`, { modelId: model.id }, accessToken)).id)
  const target =
    MODE === 'chat'
      ? {
          url: `${app.info.url}/api/chat/stream`,
          headers: { authorization: `Bearer ${accessToken}` },
          body: (w: number) => JSON.stringify({ sessionId: sessions[w], content: 'Say something.' }),
          firstToken: /event: delta/,
        }
      : {
          url: `${app.info.url}/v1/chat/completions`,
          headers: { authorization: `Bearer ${secret}` },
          body: () => JSON.stringify({ model: 'bench-gpt', messages: [{ role: 'user', content: 'Say something.' }], stream: true, stream_options: { include_usage: true } }),
          firstToken: /"content":"[^"]/,
        }
  const before = new Set(readdirSync(PROFILE_DIR))
  const result = await runLoad(
    target,
    C,
    { warmupMs: 2000, windowMs: WINDOW_MS, onWindow: () => app.child.kill('SIGUSR2') },
  )
  await new Promise((r) => setTimeout(r, 1000))
  const file = readdirSync(PROFILE_DIR).find((f) => f.startsWith('relay-') && !before.has(f))!
  console.log(`${result.streamsPerSecond.toFixed(0)} streams/s, profile ${path.join(PROFILE_DIR, file)}`)
  const profile = JSON.parse(readFileSync(path.join(PROFILE_DIR, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] }
  const counts = new Map<number, number>()
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)
  const self = new Map<string, number>()
  for (const node of profile.nodes) {
    const where = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${node.callFrame.lineNumber + 1}`
    self.set(where, (self.get(where) ?? 0) + (counts.get(node.id) ?? 0))
  }
  const total = profile.samples.length
  for (const [where, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${where}`)
} finally {
  upstream.stop()
  app.stop()
}
