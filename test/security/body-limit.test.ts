// Request body limits on a real server process (issue 16): RELAY_BODY_LIMIT_BYTES on /v1, answered
// in the client's dialect, BODY_LIMIT_BYTES everywhere else in the app's envelope; a declared
// Content-Length above the limit is refused before the body is read, a chunked body is counted as
// it streams in and its connection closed; and many large uploads at once do not grow the process.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../support/e2e-chat.ts'
import { chunk, connectRaw, parseRawResponse, within, type RawConnection } from '../support/raw-http.ts'
import { findSecretsAtRest } from '../support/secrets-at-rest.ts'
import { errorLogs, processMemory, relayUser, resetPeakRss, secretsOf, type RelayUser } from '../support/server-inspect.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const RELAY_LIMIT = 64 * 1024
const APP_LIMIT = 16 * 1024
const MiB = 1024 * 1024

/** A JSON chat request of about `bytes` bytes (one long user message). */
const chatBody = (bytes: number, model: string, extra: Record<string, unknown> = {}) => {
  const shell = JSON.stringify({ model, ...extra, messages: [{ role: 'user', content: '' }] })
  return JSON.stringify({ model, ...extra, messages: [{ role: 'user', content: 'x'.repeat(Math.max(0, bytes - shell.length)) }] })
}

const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`

/**
 * Sends a chunked body of `total` bytes in `piece`-sized chunks. `readWhileWriting` stops once the
 * server has answered (as curl does); without it the client writes everything before it looks at
 * the answer (as many simple clients do). `finish: false` never sends the last chunk. Returns how
 * much was sent.
 */
async function uploadChunked(conn: RawConnection, total: number, piece: Buffer, { readWhileWriting = true, finish = true } = {}): Promise<number> {
  let sent = 0
  while (sent < total && !conn.isClosed() && !(readWhileWriting && conn.headComplete())) {
    const size = Math.min(piece.length, total - sent)
    if (!(await conn.write(chunk(size === piece.length ? piece : piece.subarray(0, size))))) break
    sent += size
  }
  if (finish && sent >= total) await conn.write('0\r\n\r\n')
  return sent
}

describe('request body limits (real server process)', () => {
  let upstream: Upstream
  let server: ServerProcess
  let user: RelayUser

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess({ RELAY_BODY_LIMIT_BYTES: String(RELAY_LIMIT), BODY_LIMIT_BYTES: String(APP_LIMIT), BCRYPT_COST: '4' })
    await waitForReady(server.url)
    user = await relayUser(server.url, upstream.url, 'limits')
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    if (server) rmSync(server.dataDir, { recursive: true, force: true })
    await upstream?.close()
  })

  it('a /v1 body under RELAY_BODY_LIMIT_BYTES (and above BODY_LIMIT_BYTES) is relayed', async () => {
    const body = chatBody(RELAY_LIMIT - 1024, user.alias)
    expect(body.length).toBeGreaterThan(APP_LIMIT)
    const res = await call(server.url, 'POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${user.platformKey}`, 'content-type': 'application/json' }, body: JSON.parse(body) })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.choices[0].message.content).toBeTruthy()
  })

  it('a declared Content-Length above the limit: 413 in the OpenAI dialect before a byte of the body is sent, connection closed', async () => {
    const conn = await connectRaw(server.url)
    const requestsBefore = upstream.requests.length
    // Only the head goes out: a server that waited for the body would never answer.
    await conn.write(head('POST', '/v1/chat/completions', { authorization: `Bearer ${user.platformKey}`, 'content-type': 'application/json', 'content-length': RELAY_LIMIT + 1 }))
    const closed = await within(conn.closed, 5_000, 'the 413 and the close')
    expect(closed.error).toBeUndefined()
    const res = parseRawResponse(conn.received())
    expect(res.status).toBe(413)
    expect(res.headers.connection).toBe('close')
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining(String(RELAY_LIMIT)) } })
    expect(upstream.requests.length).toBe(requestsBefore)
  })

  it('on /v1/messages the 413 is in the Anthropic dialect', async () => {
    const conn = await connectRaw(server.url)
    await conn.write(head('POST', '/v1/messages', { 'x-api-key': user.platformKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'content-length': 10 * MiB }))
    await within(conn.closed, 5_000, 'the 413 and the close')
    const res = parseRawResponse(conn.received())
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'request_too_large' }, request_id: expect.any(String) })
  })

  it('a chunked /v1 body without Content-Length is counted as it arrives: 413 once past the limit, connection closed', async () => {
    const conn = await connectRaw(server.url)
    await conn.write(head('POST', '/v1/chat/completions', { authorization: `Bearer ${user.platformKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }))
    // Twice the limit, and the body never ends (no last chunk): a server that waited for the end
    // would answer only at REQUEST_TIMEOUT_MS (60 s here), far past the deadline below.
    await uploadChunked(conn, 2 * RELAY_LIMIT, Buffer.alloc(8 * 1024, 'a'), { finish: false })
    expect(await within(conn.closed, 5_000, 'the close after the 413')).toEqual({})
    const res = parseRawResponse(conn.received())
    expect(res.status).toBe(413)
    expect(res.headers.connection).toBe('close')
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'invalid_request_error' } })
  })

  // Regression: the server closed the socket with the rest of the upload unread, the kernel answered
  // the client's next segments with a reset, and the reset discarded the 413 before it was read.
  it('a client that uploads all of an oversized body before reading still gets its 413, not a reset', async () => {
    for (const [path, headers] of [
      ['/v1/chat/completions', { authorization: `Bearer ${user.platformKey}` }],
      ['/v1/messages', { 'x-api-key': user.platformKey, 'anthropic-version': '2023-06-01' }],
      ['/api/auth/login', {}],
    ] as const) {
      const chunked = await connectRaw(server.url)
      await chunked.write(head('POST', path, { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }))
      await uploadChunked(chunked, 4 * MiB, Buffer.alloc(64 * 1024, 'c'), { readWhileWriting: false })
      expect(await within(chunked.closed, 5_000, `${path}: the close after the 413`), path).toEqual({})
      expect(parseRawResponse(chunked.received()).status, path).toBe(413)

      const declared = await connectRaw(server.url)
      await declared.write(head('POST', path, { ...headers, 'content-type': 'application/json', 'content-length': 4 * MiB }))
      const piece = Buffer.alloc(64 * 1024, 'd')
      for (let sent = 0; sent < 4 * MiB; sent += piece.length) if (!(await declared.write(piece))) break
      expect(await within(declared.closed, 5_000, `${path}: the close after the 413`), path).toEqual({})
      expect(parseRawResponse(declared.received()).status, path).toBe(413)
    }
  })

  it('an /api body above BODY_LIMIT_BYTES: 413 PAYLOAD_TOO_LARGE in the app envelope, by Content-Length and chunked', async () => {
    const big = await call(server.url, 'POST', '/api/auth/login', { body: { username: 'limits', password: 'y'.repeat(APP_LIMIT) } })
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) } })
    expect(big.headers.get('connection')).toBe('close')

    const declared = await connectRaw(server.url)
    await declared.write(head('POST', '/api/sessions', { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'content-length': APP_LIMIT + 1 }))
    await within(declared.closed, 5_000, 'the 413 and the close')
    expect(JSON.parse(parseRawResponse(declared.received()).body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })

    const chunked = await connectRaw(server.url)
    await chunked.write(head('POST', '/api/auth/login', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }))
    await uploadChunked(chunked, 2 * APP_LIMIT, Buffer.alloc(4 * 1024, 'b'), { finish: false })
    expect(await within(chunked.closed, 5_000, 'the close after the 413')).toEqual({})
    const res = parseRawResponse(chunked.received())
    expect(res.status).toBe(413)
    expect(res.headers.connection).toBe('close')
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })

    // Under the limit the same route works as usual.
    const ok = await call(server.url, 'POST', '/api/auth/login', { body: { username: 'limits', password: user.password } })
    expect(ok.status).toBe(200)
  })

  it('no refused body was logged as an error', () => {
    expect(errorLogs(server.output())).toEqual([])
  })

  it('left no secret of the run in its logs or its data directory', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(await findSecretsAtRest(secretsOf(user), { logs: server.output(), dataDir: server.dataDir, exclude: ['secrets.json'] })).toEqual([])
  })
})

describe('memory under many large uploads (default limits, real server process)', () => {
  let upstream: Upstream
  let server: ServerProcess
  let user: RelayUser

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess({ BCRYPT_COST: '4' })
    await waitForReady(server.url)
    user = await relayUser(server.url, upstream.url, 'uploads')
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    if (server) rmSync(server.dataDir, { recursive: true, force: true })
    await upstream?.close()
  })

  it('16 concurrent 30 MB chunked uploads to /v1 and 30 MB declared ones: all 413, peak RSS within +200 MB of idle', async () => {
    const pid = server.child.pid!
    // Warm the relay path once, so that its code and caches are not counted as upload memory.
    const warm = await call(server.url, 'POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${user.platformKey}` }, body: JSON.parse(chatBody(1024, user.alias)) })
    expect(warm.status).toBe(200)
    const before = processMemory(pid)
    const peakWasReset = resetPeakRss(pid)
    const baseline = peakWasReset ? before.rss : before.peakRss

    const piece = Buffer.alloc(64 * 1024, 'z')
    const upload = async (declared: boolean) => {
      const conn = await connectRaw(server.url)
      const headers: Record<string, string | number> = { authorization: `Bearer ${user.platformKey}`, 'content-type': 'application/json' }
      if (declared) headers['content-length'] = 30 * MiB
      else headers['transfer-encoding'] = 'chunked'
      await conn.write(head('POST', '/v1/chat/completions', headers))
      if (declared) {
        // A client that does not wait for an answer before sending the body.
        for (let sent = 0; sent < 30 * MiB && !conn.isClosed() && !conn.headComplete(); sent += piece.length) await conn.write(piece)
      } else {
        await uploadChunked(conn, 30 * MiB, piece)
      }
      await within(conn.closed, 20_000, 'the close after the 413')
      return parseRawResponse(conn.received()).status
    }
    const statuses = await Promise.all([...Array.from({ length: 16 }, () => upload(false)), ...Array.from({ length: 4 }, () => upload(true))])
    expect(statuses).toEqual(Array(20).fill(413))

    const after = processMemory(pid)
    const grownMb = (after.peakRss - baseline) / 1024 / 1024
    console.info(`[body-limit] idle RSS ${Math.round(before.rss / 1024 / 1024)} MB, peak over the uploads +${Math.round(grownMb)} MB (peak reset: ${peakWasReset})`)
    expect(grownMb).toBeLessThan(200)
    // Still serving, and nothing was logged as an error.
    expect((await call(server.url, 'GET', '/health')).status).toBe(200)
    expect(errorLogs(server.output())).toEqual([])
  }, 60_000)

  it('left no secret of the run in its logs or its data directory', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(await findSecretsAtRest(secretsOf(user), { logs: server.output(), dataDir: server.dataDir, exclude: ['secrets.json'] })).toEqual([])
  })
})
