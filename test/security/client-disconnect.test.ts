// Clients that leave before their answer (issue 16): a relay client gone before the response starts
// is a 499 logged at debug, never an error with a stack or a 500 in the metrics, and the upstream
// request it caused is aborted; the same for chat replies (streamed and not). Real server process.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, newSession, until, type Chatter } from '../support/e2e-chat.ts'
import { connectRaw, within } from '../support/raw-http.ts'
import { findSecretsAtRest } from '../support/secrets-at-rest.ts'
import { counterValue, errorLogs, logRecords, relayUser, secretsOf, serverErrorSamples, type RelayUser } from '../support/server-inspect.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const METRICS_TOKEN = 'client-disconnect-metrics-0123456789'
/** Upstream silence before its response headers: far longer than the test waits. */
const SLOW_HEADERS_MS = 20_000

describe('clients that disconnect before their answer (real server process)', () => {
  let upstream: Upstream
  let server: ServerProcess
  let user: RelayUser
  let who: Chatter

  beforeAll(async () => {
    upstream = await startUpstream()
    // A chat reply whose client left goes on for CHAT_RESUME_GRACE_S (for a reconnect): 1 s here.
    server = await startServerProcess({ METRICS_TOKEN, LOG_LEVEL: 'debug', BCRYPT_COST: '4', CHAT_RESUME_GRACE_S: '1' })
    await waitForReady(server.url)
    user = await relayUser(server.url, upstream.url, 'leaver')
    who = { username: user.username, password: user.password, token: user.token, refreshToken: user.refreshToken, modelId: user.modelId }
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    if (server) rmSync(server.dataDir, { recursive: true, force: true })
    await upstream?.close()
  })

  const metrics = async () => (await call(server.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body as string

  /**
   * Sends `request`, waits until the upstream has it (and is sitting on its headers), then aborts
   * the client; resolves once the upstream saw its own request closed by the server.
   */
  async function leaveWhileUpstreamIsSlow(request: (signal: AbortSignal) => Promise<Response>): Promise<void> {
    upstream.reset()
    upstream.setDefault({ headersDelayMs: SLOW_HEADERS_MS })
    const client = new AbortController()
    const answered = request(client.signal).then(
      (res) => `answered ${res.status}`,
      (err: Error) => err.name,
    )
    await until(() => upstream.requests.length === 1, 5_000, 'the upstream to receive the relayed request')
    client.abort()
    await upstream.waitForClientClose(1, 5_000)
    upstream.setDefault({})
    return void (await answered)
  }

  const relay = (path: string, headers: Record<string, string>, body: unknown) => (signal: AbortSignal) =>
    fetch(`${server.url}${path}`, { method: 'POST', signal, headers: { 'content-type': 'application/json', connection: 'close', ...headers }, body: JSON.stringify(body) })

  it('a relay client gone while the upstream is slow to answer: the upstream request is aborted, 499 at debug', async () => {
    const before = await metrics()
    const openai = { authorization: `Bearer ${user.platformKey}` }
    const anthropic = { 'x-api-key': user.platformKey, 'anthropic-version': '2023-06-01' }
    const messages = [{ role: 'user', content: 'hello?' }]
    await leaveWhileUpstreamIsSlow(relay('/v1/chat/completions', openai, { model: user.alias, messages }))
    await leaveWhileUpstreamIsSlow(relay('/v1/chat/completions', openai, { model: user.alias, stream: true, messages }))
    await leaveWhileUpstreamIsSlow(relay('/v1/messages', anthropic, { model: user.alias, max_tokens: 32, messages }))
    await leaveWhileUpstreamIsSlow(relay('/v1/messages', anthropic, { model: user.alias, max_tokens: 32, stream: true, messages }))

    const count = (text: string, route: string, status: string) => counterValue(text, 'chatbase_http_requests_total', { route, status })
    await until(async () => count(await metrics(), '/v1/messages', '499') - count(before, '/v1/messages', '499') === 2, 5_000, 'the 499s to be counted')
    const after = await metrics()
    expect(count(after, '/v1/chat/completions', '499') - count(before, '/v1/chat/completions', '499')).toBe(2)
    expect(serverErrorSamples(after)).toEqual([])

    const records = logRecords(server.output())
    expect(records.filter((r) => r.msg === 'client closed the request before the response started' && r.level === 20)).toHaveLength(4)
    expect(records.filter((r) => r.msg === 'request' && String(r.path).startsWith('/v1/')).map((r) => r.status)).toEqual([499, 499, 499, 499])
  })

  it('a relay client gone before it even sent the whole body: 499, no upstream request', async () => {
    upstream.reset()
    const conn = await connectRaw(server.url)
    await conn.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${user.platformKey}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"model"`)
    const logged = () => logRecords(server.output()).filter((r) => r.msg === 'request' && r.path === '/v1/chat/completions').length
    const before = logged()
    conn.destroy()
    await within(conn.closed, 2_000, 'the local close')
    await until(() => logged() === before + 1, 5_000, 'the access-log line of the abandoned request')
    expect(logRecords(server.output()).filter((r) => r.msg === 'request').at(-1)).toMatchObject({ path: '/v1/chat/completions', status: 499 })
    expect(upstream.requests).toEqual([])
  })

  it('a chat client gone while the upstream is slow: after the resume grace the upstream request is aborted and the reply ends as aborted (stream and JSON)', async () => {
    const chat = (path: string, sessionId: string) => (signal: AbortSignal) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        signal,
        headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ sessionId, content: 'are you there?' }),
      })
    for (const path of ['/api/chat/stream', '/api/chat']) {
      const sessionId = await newSession(server.url, who)
      await leaveWhileUpstreamIsSlow(chat(path, sessionId))
      const reply = async () => {
        const page = await call(server.url, 'GET', `/api/sessions/${sessionId}/messages`, { token: who.token })
        return (page.body.items as Array<{ role: string; status: string }>).find((m) => m.role === 'assistant')
      }
      await until(async () => (await reply())?.status !== 'streaming', 5_000, `${path}: the reply to be finalized`)
      expect((await reply())?.status, path).toBe('aborted')
    }
    const statusOf = (path: string) => logRecords(server.output()).filter((r) => r.msg === 'request' && r.path === path).map((r) => r.status)
    // Neither answer's head went out (a chat answer waits for the first token, to answer a failure with its status): 499s.
    await until(() => statusOf('/api/chat').length === 1, 5_000, 'the access-log line of POST /api/chat')
    expect(statusOf('/api/chat/stream')).toEqual([499])
    expect(statusOf('/api/chat')).toEqual([499])
    expect(counterValue(await metrics(), 'chatbase_http_requests_total', { route: '/api/chat', status: '499' })).toBe(1)
  })

  it('none of it was logged as an error or counted as a 5xx', async () => {
    expect(errorLogs(server.output())).toEqual([])
    expect(serverErrorSamples(await metrics())).toEqual([])
  })

  it('left no secret of the run in its logs or its data directory', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(await findSecretsAtRest(secretsOf(user).add('metrics token', METRICS_TOKEN), { logs: server.output(), dataDir: server.dataDir, exclude: ['secrets.json'] })).toEqual([])
  })
})
