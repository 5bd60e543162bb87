// Inbound timeouts on a real server process (issue 16): a request whose body or headers never finish
// arriving is answered 408 and closed after REQUEST_TIMEOUT_MS / HEADERS_TIMEOUT_MS, and holds no
// handler; a response that takes longer than those (a long stream, a slow upstream) is not cut.
import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, newSession, openStream } from '../support/e2e-chat.ts'
import { connectRaw, parseRawResponse, within } from '../support/raw-http.ts'
import { findSecretsAtRest } from '../support/secrets-at-rest.ts'
import { errorLogs, logRecords, relayUser, secretsOf, type RelayUser } from '../support/server-inspect.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const REQUEST_TIMEOUT_MS = 1_000
const HEADERS_TIMEOUT_MS = 500
/** The test's own deadline for a close that the server owes within REQUEST_TIMEOUT_MS. */
const DEADLINE_MS = 4 * REQUEST_TIMEOUT_MS

describe('inbound request timeouts (real server process)', () => {
  let upstream: Upstream
  let server: ServerProcess
  let user: RelayUser

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess({
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'debug',
    })
    await waitForReady(server.url)
    user = await relayUser(server.url, upstream.url, 'timeouts')
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    if (server) rmSync(server.dataDir, { recursive: true, force: true })
    await upstream?.close()
  })

  /** Declares a 1000-byte body, sends 7 bytes and waits: the server must give up on it. */
  async function truncatedBody(path: string, headers: Record<string, string>) {
    const conn = await connectRaw(server.url)
    const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', 'content-length': '1000', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`)
    await conn.write(`POST ${path} HTTP/1.1\r\n${lines.join('')}\r\n{"mode"`)
    await within(conn.closed, DEADLINE_MS, `${path}: the server closing a body that stopped after 7 of 1000 bytes`)
    return conn.received()
  }

  it('a body that stops after 7 of its 1000 declared bytes: 408 and closed (relay, auth, an authenticated /api route)', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['/v1/chat/completions', { authorization: `Bearer ${user.platformKey}` }],
      ['/api/auth/login', {}],
      ['/api/sessions', { authorization: `Bearer ${user.token}` }],
    ]
    for (const [path, headers] of cases) {
      const received = await truncatedBody(path, headers)
      expect(parseRawResponse(received).status, path).toBe(408)
    }
    expect(upstream.requests).toEqual([])
  })

  it('headers trickled slower than HEADERS_TIMEOUT_MS: 408 and closed while the client is still sending them', async () => {
    const conn = await connectRaw(server.url)
    await conn.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n')
    let sent = 0
    const trickle = (async () => {
      // One header byte every 100 ms, never the blank line that ends the head.
      while (!conn.isClosed() && sent < 200) {
        if (!(await conn.write(sent % 2 ? 'a' : 'x'))) break
        sent++
        await sleep(100)
      }
    })()
    await within(conn.closed, DEADLINE_MS, 'the server closing a connection whose headers never end')
    await trickle
    expect(parseRawResponse(conn.received()).status).toBe(408)
    // The client was still trickling when the server gave up (it did not run out of bytes first).
    expect(sent).toBeLessThan(200)
    expect(sent).toBeGreaterThan(0)
  })

  it('a relayed stream longer than REQUEST_TIMEOUT_MS is not cut', async () => {
    upstream.enqueue({ text: 'one two three four five six seven eight', chunks: 8, delayMs: 300 })
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.platformKey}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: user.alias, stream: true, messages: [{ role: 'user', content: 'count' }] }),
    })
    expect(res.status).toBe(200)
    const started = Date.now()
    const body = await res.text()
    const text = body
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? '')
      .join('')
    expect(text).toBe('one two three four five six seven eight')
    expect(body).toContain('data: [DONE]')
    // It really outlived the timeout (8 deltas 300 ms apart), so the check above means something.
    expect(Date.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS)
  })

  it('a chat reply streamed over /api/chat/stream longer than REQUEST_TIMEOUT_MS is not cut', async () => {
    upstream.enqueue({ text: 'slow and steady wins the race', chunks: 6, delayMs: 300 })
    const who = { username: user.username, password: user.password, token: user.token, refreshToken: user.refreshToken, modelId: user.modelId }
    const started = Date.now()
    const stream = await openStream(server.url, who, await newSession(server.url, who), 'go')
    expect(await stream.ended).toMatchObject({ done: 'complete' })
    expect(stream.text()).toBe('slow and steady wins the race')
    expect(Date.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS)
  })

  it('an answer that waits longer than REQUEST_TIMEOUT_MS for slow upstream headers is not cut (the request itself was complete)', async () => {
    upstream.enqueue({ headersDelayMs: 2 * REQUEST_TIMEOUT_MS, text: 'late but whole' })
    const res = await call(server.url, 'POST', '/v1/chat/completions', {
      headers: { authorization: `Bearer ${user.platformKey}` },
      body: { model: user.alias, messages: [{ role: 'user', content: 'take your time' }] },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.choices[0].message.content).toBe('late but whole')
  })

  it('a keep-alive connection keeps serving requests for longer than REQUEST_TIMEOUT_MS in total', async () => {
    const conn = await connectRaw(server.url)
    for (let i = 0; i < 4; i++) {
      const before = conn.received().length
      await conn.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n')
      await within(
        (async () => {
          while (!/\r\n\r\n[\s\S]*\}/.test(conn.received().slice(before)) && !conn.isClosed()) await sleep(20)
        })(),
        DEADLINE_MS,
        `answer ${i + 1} on the kept-alive connection`,
      )
      expect(conn.isClosed(), `closed before request ${i + 1}`).toBe(false)
      await sleep(400)
    }
    expect(conn.received().match(/HTTP\/1\.1 200/g)).toHaveLength(4)
    conn.destroy()
  })

  it('the timed-out requests were not logged as errors: their handlers let go and the access log says 499 (the client never got an answer from them)', () => {
    const output = server.output()
    expect(errorLogs(output)).toEqual([])
    const requests = logRecords(output).filter((r) => r.msg === 'request')
    expect(requests.map((r) => r.status)).not.toContain(500)
    const abandoned = requests.filter((r) => Number(r.durationMs) >= REQUEST_TIMEOUT_MS && ['/v1/chat/completions', '/api/auth/login', '/api/sessions'].includes(String(r.path)) && r.status !== 200)
    expect(abandoned.map((r) => [r.path, r.status])).toEqual([
      ['/v1/chat/completions', 499],
      ['/api/auth/login', 499],
      ['/api/sessions', 499],
    ])
  })

  it('left no secret of the run in its logs or its data directory', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(await findSecretsAtRest(secretsOf(user), { logs: server.output(), dataDir: server.dataDir, exclude: ['secrets.json'] })).toEqual([])
  })
})
