import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseUnavailableReason } from '../../src/shared/infra/database/connection-errors.ts'
import { call, until } from '../support/e2e-chat.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'

/**
 * A TCP proxy between the app and the shared PostgreSQL server (which other tests use, so it cannot
 * be stopped): `cut('refuse')` closes the listener and drops every connection (a restarting server),
 * `cut('blackhole')` accepts connections and never answers (a network partition), `restore()` heals.
 */
class TcpProxy {
  private server?: net.Server
  private readonly sockets = new Set<net.Socket>()
  port = 0

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(handler: (client: net.Socket) => void = (client) => this.forward(client)): Promise<void> {
    this.server = net.createServer((client) => {
      this.track(client)
      handler(client)
    })
    await new Promise<void>((ready) => this.server!.listen(this.port, '127.0.0.1', () => ready()))
    this.port = (this.server.address() as net.AddressInfo).port
  }

  async cut(mode: 'refuse' | 'blackhole'): Promise<void> {
    await this.close()
    if (mode === 'blackhole') await this.listen(() => {})
  }

  async restore(): Promise<void> {
    await this.close()
    await this.listen()
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()))
    this.server = undefined
  }

  private forward(client: net.Socket): void {
    const upstream = this.track(net.connect(this.target.port, this.target.host))
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }

  private track(socket: net.Socket): net.Socket {
    this.sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => this.sockets.delete(socket))
    return socket
  }
}

const expectServiceUnavailable = (res: { status: number; body: any; headers: Headers }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(503)
  expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) })
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'requestId'])
  expect(res.body.error.message).not.toMatch(/\bat |invocation|prisma|postgres(ql)?:\/\/|\.ts:\d/i)
  expect(res.headers.get('retry-after')).toBe('5')
}

describe('PostgreSQL outage behind a TCP proxy (real server process)', () => {
  let database: TestDatabase
  let proxy: TcpProxy
  let server: ServerProcess
  let token: string

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false })
    const target = new URL(database.url)
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    await proxy.listen()
    const viaProxy = new URL(database.url)
    viaProxy.port = String(proxy.port)
    server = await startServerProcess({ DATABASE_URL: viaProxy.toString(), DATABASE_POOL_SIZE: '4', BCRYPT_COST: '4' })
    await waitForReady(server.url)
    const reg = await call(server.url, 'POST', '/api/auth/register', { body: { username: 'outage', password: 'outage password 1' } })
    token = reg.body.accessToken
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    await proxy?.close()
    await database?.dispose()
  })

  it('answers 503 SERVICE_UNAVAILABLE while the database refuses connections, and recovers by itself', async () => {
    expect((await call(server.url, 'GET', '/api/sessions', { token })).status).toBe(200)
    await proxy.cut('refuse')

    expectServiceUnavailable(await call(server.url, 'GET', '/api/sessions', { token }))
    expectServiceUnavailable(await call(server.url, 'POST', '/api/auth/login', { body: { username: 'outage', password: 'outage password 1' } }))
    const ready = await call(server.url, 'GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.error.message).toMatch(/^Not ready \(database: PostgreSQL (unreachable|connection closed)/)
    expect((await call(server.url, 'GET', '/health')).status).toBe(200)

    await proxy.restore()
    await until(async () => (await call(server.url, 'GET', '/api/sessions', { token })).status === 200, 15_000, 'recovery')
    expect((await call(server.url, 'GET', '/ready')).status).toBe(200)
    expect(server.child.exitCode).toBeNull()
    // Expected failures, not bugs: no "unhandled error" stack traces in the log.
    expect(server.output()).not.toMatch(/unhandled error/)
  }, 40_000)

  it('answers 503 after the connect timeout when the database does not answer at all', async () => {
    await proxy.cut('blackhole')
    const started = Date.now()
    const [sessions, ready] = await Promise.all([call(server.url, 'GET', '/api/sessions', { token }), call(server.url, 'GET', '/ready')])
    expectServiceUnavailable(sessions)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(ready.status).toBe(503)
    expect(ready.body.error.message).toMatch(/database: (no answer within 2000 ms|PostgreSQL timed out connecting)/)

    await proxy.restore()
    await until(async () => (await call(server.url, 'GET', '/ready')).status === 200, 15_000, 'recovery')
    expect((await call(server.url, 'GET', '/api/sessions', { token })).status).toBe(200)
    expect(server.output()).not.toMatch(/unhandled error/)
  }, 40_000)
})

describe('databaseUnavailableReason', () => {
  const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect', errno: -1 })
  it.each([
    ['Prisma P1001 with the adapter error inside', { code: 'P1001', meta: { driverAdapterError: Object.assign(new Error('DatabaseNotReachable'), { cause: { kind: 'DatabaseNotReachable' } }) } }, 'unreachable'],
    ['a raw query (P2010) that could not reach the server', { code: 'P2010', message: "Raw query failed. Message: `Can't reach database server at h:5432`", meta: { driverAdapterError: { message: 'DatabaseNotReachable' } } }, 'unreachable'],
    ['Prisma P1017', { code: 'P1017', message: 'Server has closed the connection.' }, 'connection closed'],
    ['Prisma P2024 (pool timeout)', { code: 'P2024', message: 'Timed out fetching a new connection' }, 'timed out waiting for a connection'],
    ['pg ECONNREFUSED', socketError('ECONNREFUSED'), 'unreachable (connection refused)'],
    ['pg ECONNRESET inside a cause', new Error('query failed', { cause: socketError('ECONNRESET') }), 'connection reset'],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), 'connection closed'],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout'), 'timed out connecting'],
    ['PostgreSQL shutting down (57P01)', { cause: { kind: 'postgres', code: '57P01' } }, 'refused the connection (SQLSTATE 57P01)'],
    ['SQLite busy', new Error('database is locked'), 'busy (locked)'],
  ])('recognises %s', (_what, error, reason) => {
    expect(databaseUnavailableReason(error)).toBe(reason)
  })
  it.each([
    ['a unique violation', { code: 'P2002', message: 'Unique constraint failed' }],
    ['a syntax error from PostgreSQL', { cause: { kind: 'postgres', code: '42601' } }],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'toString')")],
    ['a string', 'constructor'],
  ])('leaves %s alone', (_what, error) => {
    expect(databaseUnavailableReason(error)).toBeUndefined()
  })
})
