// Run: npx tsx bench/relay.bench.ts            (about 3 minutes; loopback only; stops by itself)
// Env: TOKENS (64), DELAY_MS between upstream tokens (5), WINDOW_MS per run (4000), LEVELS (1,10,100,1000),
//      CHAT_LEVELS (1,10,100), LOG_LEVEL of the app server (warn), BENCH_REDIS_URL (redis://127.0.0.1:6379;
//      empty: no relay+redis rows), ROUNDS (1): runs per relay row, alternating, the median kept,
//      BASELINE_DIR: a checkout of an earlier commit (with node_modules and its Prisma clients) whose
//      app runs beside this one as `relay@base` / `chat@base` rows, for before/after tables in one run.
// Three processes besides this driver: the test upstream, a bare node:http proxy and the real app
// (relay + chat). Server CPU per stream comes from /proc/<pid>/stat deltas over each run's window.
import { type Child, cpuMs, rssMb, startChild } from './lib/proc.ts'
import { startApp } from './lib/app-process.ts'
import { runLoad, type LoadResult, type Target } from './lib/load.ts'

const WINDOW_MS = Number(process.env.WINDOW_MS ?? 4000)
// At c=1000 one stream takes seconds on a small box: longer windows, or no stream fits in one.
const windowFor = (c: number) => (c >= 1000 ? WINDOW_MS * 2.5 : WINDOW_MS)
const warmupFor = (c: number) => (c >= 1000 ? 3000 : 1000)
const LEVELS = (process.env.LEVELS ?? '1,10,100,1000').split(',').map(Number)
const ROUNDS = Number(process.env.ROUNDS ?? 1)
const CHAT_LEVELS = (process.env.CHAT_LEVELS ?? '1,10,100').split(',').map(Number)
const ADMIN = { username: 'benchadmin', password: 'bench admin password 1' } // as bench/lib/relay-server.ts creates it
const OPENAI_TOKEN = /"content":"[^"]/
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const BASELINE_DIR = process.env.BASELINE_DIR

interface Row { target: string; concurrency: number; result: LoadResult; cpuPerStream?: number; rss?: { rss: number; peak: number } }

async function json(url: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const body = (await res.json()) as any
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

async function measure(name: string, target: Target, concurrency: number, server?: Child<unknown>): Promise<Row> {
  const pid = server?.child.pid
  let cpuStart = 0
  let cpuEnd = 0
  const result = await runLoad(target, concurrency, {
    warmupMs: warmupFor(concurrency),
    windowMs: windowFor(concurrency),
    onWindow: (edge) => {
      if (pid === undefined) return
      if (edge === 'start') cpuStart = cpuMs(pid)
      else cpuEnd = cpuMs(pid)
    },
  })
  const row: Row = { target: name, concurrency, result }
  if (pid !== undefined) {
    row.cpuPerStream = result.completed ? (cpuEnd - cpuStart) / result.completed : NaN
    row.rss = rssMb(pid)
  }
  const r = result
  console.error(`${name.padEnd(7)} c=${String(concurrency).padEnd(4)} ${r.streamsPerSecond.toFixed(0).padStart(5)} streams/s  ttft p50 ${r.ttft.p50.toFixed(1)} p99 ${r.ttft.p99.toFixed(1)}  total p50 ${r.total.p50.toFixed(0)} p99 ${r.total.p99.toFixed(0)}  cpu/stream ${row.cpuPerStream?.toFixed(2) ?? '-'} ms  errors ${r.errors}`)
  return row
}

const medianRun = (rows: Row[]): Row => [...rows].sort((a, b) => (a.cpuPerStream ?? 0) - (b.cpuPerStream ?? 0))[Math.floor((rows.length - 1) / 2)]!

const f = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits))

function table(rows: Row[], direct: Map<number, Row>, floor?: Map<number, Row>): string {
  const head = '| target | c | streams/s | x direct | TTFT p50 / p99 ms | TTFT added p50 / p99 | total p50 / p99 ms | server CPU ms/stream | x bare CPU | overhead-ms p50 (self-reported) | RSS / peak MB | errors |'
  const lines = [head, head.replace(/[^|]+/g, ' --- ')]
  for (const r of rows) {
    const d = direct.get(r.concurrency)!.result
    const res = r.result
    const isDirect = r.target === 'direct'
    const bareCpu = floor?.get(r.concurrency)?.cpuPerStream
    lines.push(`| ${r.target} | ${r.concurrency} | ${f(res.streamsPerSecond, 0)} | ${f(res.streamsPerSecond / d.streamsPerSecond, 2)} | ${f(res.ttft.p50)} / ${f(res.ttft.p99)} | ${isDirect ? '-' : `${f(res.ttft.p50 - d.ttft.p50)} / ${f(res.ttft.p99 - d.ttft.p99)}`} | ${f(res.total.p50, 0)} / ${f(res.total.p99, 0)} | ${f(r.cpuPerStream, 2)} | ${r.target.startsWith('relay') && bareCpu ? f(r.cpuPerStream! / bareCpu, 2) : '-'} | ${f(res.reportedOverheadP50, 0)} | ${r.rss ? `${f(r.rss.rss, 0)} / ${f(r.rss.peak, 0)}` : '-'} | ${res.errors} |`)
  }
  return lines.join('\n')
}

const upstream = await startChild<{ url: string; key: string }>('bench/lib/upstream-process.ts')
const bare = await startChild<{ url: string }>('bench/bare-proxy.ts', [upstream.info.url])
const app = await startApp()
// The same app as a replica would run it: limits (Lua) and cache invalidation through Redis.
const appRedis = REDIS_URL ? await startApp({ REDIS_URL }) : undefined
const appBase = BASELINE_DIR ? await startApp({}, BASELINE_DIR) : undefined
const children = [upstream, bare, app, ...(appRedis ? [appRedis] : []), ...(appBase ? [appBase] : [])]

/** An admin session, the upstream as a system model `bench-gpt`, and a platform key, on one app. */
async function setUp(url: string) {
  const { accessToken } = await json(`${url}/api/auth/login`, { body: ADMIN })
  const model = await json(`${url}/api/models/system`, {
    token: accessToken,
    body: { providerKind: 'openai', displayName: 'bench', modelId: 'gpt-4o-mini', alias: 'bench-gpt', baseUrl: `${upstream.info.url}/v1`, apiKey: upstream.info.key, visibility: 'all' },
  })
  const { secret } = await json(`${url}/api/keys`, { token: accessToken, body: { name: 'bench' } })
  return { accessToken, model, secret: secret as string }
}

try {
  const { accessToken, model, secret } = await setUp(app.info.url)
  const redisApp = appRedis && (await setUp(appRedis.info.url))
  const baseApp = appBase && (await setUp(appBase.info.url))
  const sessionsOn = async (url: string, token: string, modelId: string) => {
    const ids: string[] = []
    for (let i = 0; i < Math.max(...CHAT_LEVELS); i++) ids.push((await json(`${url}/api/sessions`, { token, body: { modelId } })).id)
    return ids
  }
  const sessions = await sessionsOn(app.info.url, accessToken, model.id)
  const baseSessions = baseApp ? await sessionsOn(appBase!.info.url, baseApp.accessToken, baseApp.model.id) : []

  const openAiBody = (modelId: string) => () => JSON.stringify({ model: modelId, messages: [{ role: 'user', content: 'Say something.' }], stream: true, stream_options: { include_usage: true } })
  const targets: Record<'direct' | 'bare' | 'relay', Target> & { relayRedis?: Target } = {
    direct: { url: `${upstream.info.url}/v1/chat/completions`, headers: { authorization: `Bearer ${upstream.info.key}` }, body: openAiBody('gpt-4o-mini'), firstToken: OPENAI_TOKEN },
    bare: { url: `${bare.info.url}/v1/chat/completions`, headers: { authorization: `Bearer ${upstream.info.key}` }, body: openAiBody('gpt-4o-mini'), firstToken: OPENAI_TOKEN },
    relay: { url: `${app.info.url}/v1/chat/completions`, headers: { authorization: `Bearer ${secret}` }, body: openAiBody('bench-gpt'), firstToken: OPENAI_TOKEN },
    relayRedis: redisApp ? { url: `${appRedis!.info.url}/v1/chat/completions`, headers: { authorization: `Bearer ${redisApp.secret}` }, body: openAiBody('bench-gpt'), firstToken: OPENAI_TOKEN } : undefined,
  }
  const relayBase: Target | undefined = baseApp && { url: `${appBase!.info.url}/v1/chat/completions`, headers: { authorization: `Bearer ${baseApp.secret}` }, body: openAiBody('bench-gpt'), firstToken: OPENAI_TOKEN }
  const chatOn = (url: string, token: string, ids: string[]): Target => ({
    url: `${url}/api/chat/stream`,
    headers: { authorization: `Bearer ${token}` },
    body: (w) => JSON.stringify({ sessionId: ids[w], content: 'Say something.' }),
    firstToken: /event: delta/,
  })
  const chat = chatOn(app.info.url, accessToken, sessions)
  const chatBase = baseApp && chatOn(appBase!.info.url, baseApp.accessToken, baseSessions)

  const relayRows: Row[] = []
  const direct = new Map<number, Row>()
  const floor = new Map<number, Row>()
  for (const c of LEVELS) {
    // ROUNDS > 1: the targets take turns, and each row is the run with the median CPU per stream,
    // so that drift of the shared machine hits the bare proxy and the relay alike.
    const runs: Record<string, Row[]> = { direct: [], bare: [], relay: [], 'relay+redis': [], 'relay@base': [] }
    for (let round = 0; round < ROUNDS; round++) {
      runs.direct!.push(await measure('direct', targets.direct, c, upstream))
      runs.bare!.push(await measure('bare', targets.bare, c, bare))
      runs.relay!.push(await measure('relay', targets.relay, c, app))
      if (targets.relayRedis) runs['relay+redis']!.push(await measure('relay+redis', targets.relayRedis, c, appRedis))
      if (relayBase) runs['relay@base']!.push(await measure('relay@base', relayBase, c, appBase))
    }
    const [d, b, ...relays] = Object.values(runs).filter((r) => r.length).map(medianRun)
    direct.set(c, d!)
    floor.set(c, b!)
    relayRows.push(d!, b!, ...relays)
  }
  // The first chat reply loads the tokenizer (hundreds of ms): not part of any measured window.
  await runLoad(chat, 1, { warmupMs: 0, windowMs: 1, onWindow: () => {} })
  if (chatBase) await runLoad(chatBase, 1, { warmupMs: 0, windowMs: 1, onWindow: () => {} })
  const chatRows: Row[] = []
  for (const c of CHAT_LEVELS) {
    const d = direct.get(c) ?? (await measure('direct', targets.direct, c, upstream))
    direct.set(c, d)
    chatRows.push(d, await measure('chat', chat, c, app))
    if (chatBase) chatRows.push(await measure('chat@base', chatBase, c, appBase))
  }

  console.log(`\n### Relay: /v1/chat/completions (${process.env.TOKENS ?? 64}-token streams, ${process.env.DELAY_MS ?? 5} ms between tokens, ${WINDOW_MS} ms windows, ${windowFor(1000)} ms at c=1000, median of ${ROUNDS} alternating run(s) per row)\n`)
  console.log(table(relayRows, direct, floor))
  console.log('\nrelay+redis: the same app with REDIS_URL (Redis usage gate and cache invalidation). "server CPU" of a direct row is the test upstream\'s own CPU, for scale.\n')
  console.log(`### Chat: POST /api/chat/stream vs direct\n`)
  console.log(table(chatRows, direct))
} finally {
  children.forEach((c) => c.stop())
}
