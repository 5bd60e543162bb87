import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OutboundAddressPolicy } from '../../../src/shared/outbound/address-policy.ts'
import type { Resolver } from '../../../src/shared/outbound/guarded-connector.ts'
import { OutboundError, type OutboundErrorKind, type OutboundRequest } from '../../../src/shared/outbound/outbound-transport.port.ts'
import { UndiciTransport, type UndiciTransportOptions } from '../../../src/shared/outbound/undici-transport.ts'
import { startHttpConnectProxy, type HttpConnectProxy } from '../../support/http-connect-proxy.ts'
import { startSocks5Proxy, type Socks5Proxy } from '../../support/socks5-proxy.ts'

/**
 * The outbound transport against real proxies on loopback: an HTTP CONNECT proxy (plain and TLS),
 * a SOCKS5 server, and a small upstream that counts its connections. The rule under test above
 * all: a route with a proxy never reaches the upstream directly.
 */

const PASSWORD = 'p@ss:w/rd'
const ENCODED = encodeURIComponent(PASSWORD) // p%40ss%3Aw%2Frd
const WRONG = 'wr0ng-s3cret'
const SECRETS = [PASSWORD, ENCODED, WRONG, 'hunter2']

const FAST: UndiciTransportOptions = { connectMs: 400, headersMs: 400, idleMs: 400 }

// ---- servers --------------------------------------------------------------------------------

interface Upstream {
  port: number
  connections: number
  requests: string[]
  close(): Promise<void>
}

/**
 * GET /hello answers; /stall-headers never answers; /stall-body sends a first chunk, then nothing;
 * /trickle sends a byte every 50 ms and never ends.
 */
const upstreamHandler: RequestListener = (req, res) => {
  if (req.url === '/stall-headers') return
  if (req.url === '/stall-body') return void res.writeHead(200, { 'content-type': 'text/plain' }).write('first ')
  if (req.url === '/trickle') {
    res.writeHead(200, { 'content-type': 'text/plain' })
    const timer = setInterval(() => res.write('.'), 50)
    return void res.once('close', () => clearInterval(timer))
  }
  let body = ''
  req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url}${body ? ` ${body}` : ''}`))
}

async function listen<S extends Server | TcpServer>(server: S, host: string): Promise<{ port: number; close: () => Promise<void>; server: S }> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  return { port: (server.address() as AddressInfo).port, close, server }
}

async function startUpstream(tls?: { key: Buffer; cert: Buffer }): Promise<Upstream> {
  const server = tls ? createHttpsServer(tls, upstreamHandler) : createHttpServer(upstreamHandler)
  const upstream = { connections: 0, requests: [] as string[] } as Upstream
  server.on(tls ? 'secureConnection' : 'connection', () => upstream.connections++)
  server.on('request', (req) => upstream.requests.push(`${req.method} ${req.url}`))
  // '::' is dual-stack: IPv4 (127.0.0.1, localhost) and IPv6 (::1) targets reach the same server.
  const { port, close } = await listen(server, '::')
  return Object.assign(upstream, { port, close })
}

/** Accepts TCP and never says a word: a proxy stuck in its handshake. */
async function startBlackHole() {
  return listen(createTcpServer(() => undefined), '127.0.0.1')
}

/** A port that was listening a moment ago and no longer is. */
async function deadPort(): Promise<number> {
  const { port, close } = await listen(createTcpServer(), '127.0.0.1')
  await close()
  return port
}

const withCredentials = (url: string, user: string, password: string) => url.replace('://', `://${user}:${password}@`)
const socks5h = (url: string) => url.replace('socks5://', 'socks5h://')

// ---- test plumbing --------------------------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

function transport(options: Partial<UndiciTransportOptions> = {}) {
  const t = new UndiciTransport({ ...FAST, ...options })
  cleanups.push(() => t.close())
  return t
}

async function httpProxy(options?: Parameters<typeof startHttpConnectProxy>[0]): Promise<HttpConnectProxy> {
  const proxy = await startHttpConnectProxy(options)
  cleanups.push(() => proxy.close())
  return proxy
}

async function socksProxy(options?: Parameters<typeof startSocks5Proxy>[0]): Promise<Socks5Proxy> {
  const proxy = await startSocks5Proxy(options)
  cleanups.push(() => proxy.close())
  return proxy
}

async function text(body: Readable): Promise<string> {
  let out = ''
  for await (const chunk of body) out += String(chunk)
  return out
}

const get = (url: string, proxyUrl?: string | null, extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
  method: 'GET',
  url,
  headers: {},
  route: { proxyUrl },
  ...extra,
})

/** The promise rejects with an OutboundError of that kind whose message holds no secret. */
async function expectFailure(promise: Promise<unknown>, kind: OutboundErrorKind, message?: RegExp): Promise<OutboundError> {
  const error = await promise.then(
    () => expect.unreachable('expected an OutboundError'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OutboundError)
  const outbound = error as OutboundError
  expect({ kind: outbound.kind, message: outbound.message }).toMatchObject({ kind, ...(message && { message: expect.stringMatching(message) }) })
  for (const secret of SECRETS) expect(outbound.message).not.toContain(secret)
  return outbound
}

// ---- tests ----------------------------------------------------------------------------------

let upstream: Upstream
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())
const target = (path = '/hello', host = 'localhost') => `http://${host}:${upstream.port}${path}`
const upstreamSeen = () => ({ connections: upstream.connections, requests: upstream.requests.length })

describe('UndiciTransport through real proxies', () => {
  it('calls the upstream directly without a route, and POSTs a body', async () => {
    const before = upstream.connections
    const response = await transport().request({ method: 'POST', url: target('/echo'), headers: { 'content-type': 'text/plain' }, body: 'héllo' })
    expect(response.status).toBe(200)
    expect(await text(response.body)).toBe('POST /echo héllo')
    expect(upstream.connections).toBe(before + 1)
  })

  it('tunnels through an HTTP CONNECT proxy (http target); the proxy counted the tunnel', async () => {
    const proxy = await httpProxy()
    const response = await transport().request(get(target(), proxy.url))
    expect(await text(response.body)).toBe('GET /hello')
    expect(proxy.stats).toMatchObject({ connections: 1, tunnels: 1, targets: [`localhost:${upstream.port}`] })
  })

  it('tunnels through SOCKS5: socks5:// resolves the target here, socks5h:// sends the name', async () => {
    const proxy = await socksProxy()
    const t = transport()
    expect(await text((await t.request(get(target(), proxy.url))).body)).toBe('GET /hello')
    expect(await text((await t.request(get(target(), socks5h(proxy.url)))).body)).toBe('GET /hello')
    expect(proxy.stats.tunnels).toBe(2)
    expect(proxy.stats.targets).toEqual([
      { type: 'ipv4', host: '127.0.0.1', port: upstream.port },
      { type: 'domain', host: 'localhost', port: upstream.port },
    ])
  })

  it('reaches an IPv6 target through both proxy types', async () => {
    const [http, socks] = [await httpProxy(), await socksProxy()]
    const t = transport()
    expect(await text((await t.request(get(target('/v6', '[::1]'), http.url))).body)).toBe('GET /v6')
    expect(await text((await t.request(get(target('/v6', '[::1]'), socks.url))).body)).toBe('GET /v6')
    expect(http.stats.targets).toEqual([`[::1]:${upstream.port}`])
    expect(socks.stats.targets).toEqual([{ type: 'ipv6', host: '::1', port: upstream.port }])
  })

  it('keeps tunnels alive across requests; every upstream connection is one of the tunnels', async () => {
    for (const proxy of [await httpProxy(), await socksProxy()]) {
      const t = transport()
      const before = upstream.connections
      for (let i = 0; i < 4; i++) await text((await t.request(get(target(), proxy.url))).body)
      expect(proxy.stats.tunnels).toBeLessThan(4)
      expect(upstream.connections - before).toBe(proxy.stats.tunnels)
    }
  })

  describe('credentials', () => {
    it('accepts a URL-encoded password with special characters (HTTP CONNECT and SOCKS5)', async () => {
      const http = await httpProxy({ username: 'bob', password: PASSWORD })
      const socks = await socksProxy({ username: 'bob', password: PASSWORD })
      const t = transport()
      expect(ENCODED).toBe('p%40ss%3Aw%2Frd')
      expect((await t.request(get(target(), withCredentials(http.url, 'bob', ENCODED)))).status).toBe(200)
      expect((await t.request(get(target(), withCredentials(socks.url, 'bob', ENCODED)))).status).toBe(200)
      expect((await t.request(get(target(), withCredentials(socks5h(socks.url), 'bob', ENCODED)))).status).toBe(200)
      expect(http.stats).toMatchObject({ tunnels: 1, authFailures: 0 })
      expect(socks.stats).toMatchObject({ auths: 2, authFailures: 0, tunnels: 2 })
    })

    it('a wrong password is a proxy error naming authentication, without any password; nothing reaches the upstream', async () => {
      const http = await httpProxy({ username: 'bob', password: PASSWORD })
      const socks = await socksProxy({ username: 'bob', password: PASSWORD })
      const t = transport()
      const before = upstreamSeen()
      await expectFailure(t.request(get(target(), withCredentials(http.url, 'bob', WRONG))), 'proxy', /authentication/i)
      await expectFailure(t.request(get(target(), withCredentials(socks.url, 'bob', WRONG))), 'proxy', /authentication/i)
      await expectFailure(t.request(get(target(), http.url)), 'proxy', /authentication/i)
      await expectFailure(t.request(get(target(), socks.url)), 'proxy', /authentication/i)
      expect(http.stats.authFailures).toBe(2)
      expect(socks.stats.authFailures).toBe(1)
      expect(upstreamSeen()).toEqual(before)
    })
  })

  describe('never a direct fallback', () => {
    it('a proxy port that no longer listens fails kind proxy, and the upstream sees no connection', async () => {
      const port = await deadPort()
      const t = transport()
      const before = upstreamSeen()
      for (const scheme of ['http', 'socks5', 'socks5h']) {
        await expectFailure(t.request(get(target(), `${scheme}://bob:${ENCODED}@127.0.0.1:${port}`)), 'proxy')
      }
      expect(upstreamSeen()).toEqual(before)
    })

    it('a proxy killed after a first call fails the next call; the upstream saw only the tunnelled one', async () => {
      for (const start of [() => httpProxy(), () => socksProxy()]) {
        const proxy = await start()
        const t = transport()
        const before = upstream.connections
        expect((await t.request(get(target(), proxy.url))).status).toBe(200)
        await proxy.close()
        await expectFailure(t.request(get(target(), proxy.url)), 'proxy')
        await expectFailure(t.request(get(target(), proxy.url)), 'proxy')
        expect(upstream.connections).toBe(before + 1)
      }
    })

    it('a malformed proxy URL fails kind proxy without quoting a password', async () => {
      const t = transport()
      const before = upstreamSeen()
      for (const bad of ['not a url', 'ftp://proxy:21', 'http://bob:hunter2@', 'http://bob:hunter2@host:99999', 'socks5://bob:hunter2@host/path', 'http://bob:hunter2%zz@host:8080', '   ']) {
        await expectFailure(t.request(get(target(), bad)), 'proxy', /invalid proxy URL/)
      }
      expect(upstreamSeen()).toEqual(before)
    })
  })

  describe('timeouts and abort', () => {
    it('a proxy that accepts and never answers its handshake: connect_timeout (HTTP and SOCKS5)', async () => {
      const hole = await startBlackHole()
      cleanups.push(hole.close)
      const t = transport({ connectMs: 200 })
      for (const scheme of ['http', 'socks5h']) {
        const started = Date.now()
        await expectFailure(t.request(get(target(), `${scheme}://bob:${ENCODED}@127.0.0.1:${hole.port}`)), 'connect_timeout')
        expect(Date.now() - started).toBeLessThan(1500)
      }
    })

    it('a direct https connect whose TLS handshake never completes: connect_timeout, with a per-call override', async () => {
      // Not a non-routable address: this sandbox accepts TCP to any address (10.255.255.1 included).
      const hole = await startBlackHole()
      cleanups.push(hole.close)
      const started = Date.now()
      await expectFailure(transport({ connectMs: 5_000 }).request(get(`https://127.0.0.1:${hole.port}/`, null, { timeouts: { connectMs: 200 } })), 'connect_timeout')
      expect(Date.now() - started).toBeLessThan(2_000)
    })

    it('a proxy that hangs up on the handshake fails the call once, without redialling in a loop', async () => {
      const hangUp = await listen(createTcpServer((socket) => socket.once('data', () => socket.destroy())), '127.0.0.1')
      cleanups.push(hangUp.close)
      let dials = 0
      hangUp.server.on('connection', () => dials++)
      const t = transport({ connectMs: 1_000 })
      const before = upstreamSeen()
      for (const scheme of ['http', 'socks5h']) {
        await expectFailure(t.request(get(target(), `${scheme}://127.0.0.1:${hangUp.port}`)), 'proxy')
      }
      expect(dials).toBe(2)
      expect(upstreamSeen()).toEqual(before)
    })

    it('an upstream that never sends headers: headers_timeout (direct, HTTP proxy, SOCKS5)', async () => {
      const [http, socks] = [await httpProxy(), await socksProxy()]
      const t = transport({ headersMs: 200 })
      // In parallel: undici runs headers and body timers on a coarse (~0.5 s) clock.
      await Promise.all([null, http.url, socks.url].map((proxyUrl) => expectFailure(t.request(get(target('/stall-headers'), proxyUrl)), 'headers_timeout')))
    })

    it('an upstream that stalls mid-body: the body read fails idle_timeout (direct and proxied)', async () => {
      const [http, socks] = [await httpProxy(), await socksProxy()]
      const t = transport({ idleMs: 200 })
      const stalled = async (proxyUrl: string | null, readAfterMs = 0) => {
        const response = await t.request(get(target('/stall-body'), proxyUrl))
        expect(response.status).toBe(200)
        await new Promise((resolve) => setTimeout(resolve, readAfterMs))
        await expectFailure(text(response.body), 'idle_timeout')
      }
      // The last one reads only after the timeout fired: it sees the mapped error too.
      await Promise.all([stalled(null), stalled(http.url), stalled(socks.url), stalled(socks.url, 1_500)])
    })

    it('aborting rejects with the signal reason, before the headers and while reading the body', async () => {
      const proxy = await httpProxy()
      const t = transport({ headersMs: 5_000, idleMs: 5_000 })
      for (const proxyUrl of [null, proxy.url]) {
        const early = new AbortController()
        const pending = t.request(get(target('/stall-headers'), proxyUrl, { signal: early.signal }))
        const headersReason = new Error('stop: headers')
        setTimeout(() => early.abort(headersReason), 50)
        await expect(pending).rejects.toBe(headersReason)

        const late = new AbortController()
        const response = await t.request(get(target('/stall-body'), proxyUrl, { signal: late.signal }))
        const bodyReason = new Error('stop: body')
        setTimeout(() => late.abort(bodyReason), 50)
        await expect(text(response.body)).rejects.toBe(bodyReason)
      }
    })

    it('the total deadline ends a call that keeps trickling (no idle timeout ever fires) and one that never answers', async () => {
      const proxy = await httpProxy()
      const t = transport({ headersMs: 60_000, idleMs: 60_000, totalMs: 400 })
      for (const proxyUrl of [null, proxy.url]) {
        const response = await t.request(get(target('/trickle'), proxyUrl))
        expect(response.status).toBe(200)
        await expectFailure(text(response.body), 'total_timeout', /total timeout \(400 ms\)/)
        await expectFailure(t.request(get(target('/stall-headers'), proxyUrl)), 'total_timeout')
      }
      // A per-call override, and a call that finishes in time is untouched by it.
      await expectFailure(t.request(get(target('/stall-headers'), null, { timeouts: { totalMs: 100 } })), 'total_timeout')
      expect(await text((await t.request(get(target('/quick')))).body)).toBe('GET /quick')
    })

    it('an already aborted signal sends nothing', async () => {
      const before = upstreamSeen()
      const signal = AbortSignal.abort(new Error('never started'))
      await expect(transport().request(get(target(), null, { signal }))).rejects.toThrow('never started')
      expect(upstreamSeen()).toEqual(before)
    })
  })

  describe('restricted routes (personal models): the outbound address policy at connect time', () => {
    const restricted = (url: string, proxyUrl: string | null = null): OutboundRequest => ({ method: 'GET', url, headers: {}, route: { proxyUrl, restricted: true } })
    /** A resolver that answers `address` for every name and counts its lookups. */
    const resolvingTo = (address: string) => {
      const resolver: Resolver & { lookups: string[] } = Object.assign(
        (host: string, callback: Parameters<Resolver>[1]) => {
          resolver.lookups.push(host)
          setImmediate(() => callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]))
        },
        { lookups: [] as string[] },
      )
      return resolver
    }

    it('refuses loopback IP literals (IPv4, IPv6, IPv4-mapped) and localhost; the upstream sees no connection', async () => {
      const t = transport()
      const before = upstreamSeen()
      for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost', '0.0.0.0']) {
        const error = await expectFailure(t.request(restricted(target('/hello', host))), 'address_refused')
        // A name's refusal never says what it resolved to.
        if (host === 'localhost') expect(error.message).toBe('localhost resolves to a loopback address, which personal models may not reach')
      }
      expect(upstreamSeen()).toEqual(before)
      // The same transport, unrestricted (a system model): reaches it.
      expect(await text((await t.request(get(target('/hello', '127.0.0.1')))).body)).toBe('GET /hello')
    })

    it('checks the address a name resolves to when connecting (DNS rebinding), not the name', async () => {
      const resolver = resolvingTo('127.0.0.1')
      const t = transport({ resolver })
      const before = upstreamSeen()
      const error = await expectFailure(t.request(restricted(target('/hello', 'looks-public.example'))), 'address_refused')
      expect(error.message).toBe('looks-public.example resolves to a loopback address, which personal models may not reach')
      expect(resolver.lookups).toEqual(['looks-public.example'])
      expect(upstreamSeen()).toEqual(before)
    })

    it('a restricted call never reuses a connection an unrestricted call opened to the same origin', async () => {
      const t = transport()
      const url = target('/hello', '127.0.0.1')
      expect(await text((await t.request(get(url))).body)).toBe('GET /hello') // keep-alive connection now pooled
      const before = upstreamSeen()
      await expectFailure(t.request(restricted(url)), 'address_refused')
      expect(upstreamSeen()).toEqual(before)
    })

    it('OUTBOUND_ALLOW_PRIVATE and the allow-list open what they name, and nothing else', async () => {
      const open = transport({ policy: new OutboundAddressPolicy({ allowPrivate: true, allowedHosts: [] }) })
      expect(await text((await open.request(restricted(target('/open', '127.0.0.1')))).body)).toBe('GET /open')
      expect(await text((await open.request(restricted(target('/open', 'localhost')))).body)).toBe('GET /open')

      const byName = transport({ policy: new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['localhost'] }) })
      expect(await text((await byName.request(restricted(target('/named', 'localhost')))).body)).toBe('GET /named')
      await expectFailure(byName.request(restricted(target('/named', '127.0.0.1'))), 'address_refused')

      const byRange = transport({ policy: new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.0/8'] }), resolver: resolvingTo('127.0.0.2') })
      expect(await text((await byRange.request(restricted(target('/range', 'anything.example')))).body)).toBe('GET /range')
      await expectFailure(byRange.request(restricted(target('/range', '[::1]'))), 'address_refused')
    })

    it('through a proxy: the target is resolved and checked here, and the tunnel goes to the checked address', async () => {
      const [http, socks] = [await httpProxy(), await socksProxy()]
      const strict = transport()
      for (const proxyUrl of [http.url, socks5h(socks.url)]) {
        await expectFailure(strict.request(restricted(target('/hello', 'localhost'), proxyUrl)), 'address_refused')
        await expectFailure(strict.request(restricted(target('/hello', '127.0.0.1'), proxyUrl)), 'address_refused')
      }
      expect(http.stats.tunnels + socks.stats.tunnels).toBe(0)

      const allowed = transport({ policy: new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.1'] }), resolver: resolvingTo('127.0.0.1') })
      expect(await text((await allowed.request(restricted(target('/tunnelled', 'named.example'), http.url))).body)).toBe('GET /tunnelled')
      expect(http.stats.targets).toEqual([`127.0.0.1:${upstream.port}`]) // the checked IP, not the name the proxy would resolve
    })
  })

  describe('ProxyProbe.check', () => {
    const to = () => ({ host: 'localhost', port: upstream.port })

    it('ok through each proxy type, with nothing sent to the target', async () => {
      const http = await httpProxy({ username: 'bob', password: PASSWORD })
      const socks = await socksProxy({ username: 'bob', password: PASSWORD })
      const before = upstream.requests.length
      const t = transport()
      for (const url of [http.url, socks.url, socks5h(socks.url)]) {
        const check = await t.check(withCredentials(url, 'bob', ENCODED), to(), 1_000)
        expect(check).toMatchObject({ ok: true })
        expect(check.latencyMs).toBeGreaterThanOrEqual(0)
      }
      expect(http.stats.tunnels + socks.stats.tunnels).toBe(3)
      expect(upstream.requests.length).toBe(before)
    })

    it('proxy_unreachable, proxy_auth_failed, proxy_refused and timeout; messages hold no password', async () => {
      const http = await httpProxy({ username: 'bob', password: PASSWORD })
      const socks = await socksProxy({ username: 'bob', password: PASSWORD })
      const hole = await startBlackHole()
      cleanups.push(hole.close)
      const dead = await deadPort()
      const t = transport()
      const cases: [string, { host: string; port: number }, string][] = [
        [`http://bob:${ENCODED}@127.0.0.1:${dead}`, to(), 'proxy_unreachable'],
        [`socks5://bob:${ENCODED}@127.0.0.1:${dead}`, to(), 'proxy_unreachable'],
        [withCredentials(http.url, 'bob', WRONG), to(), 'proxy_auth_failed'],
        [withCredentials(socks.url, 'bob', WRONG), to(), 'proxy_auth_failed'],
        [withCredentials(http.url, 'bob', ENCODED), { host: '127.0.0.1', port: dead }, 'proxy_refused'],
        [withCredentials(socks5h(socks.url), 'bob', ENCODED), { host: '127.0.0.1', port: dead }, 'proxy_refused'],
        [`http://bob:${ENCODED}@127.0.0.1:${hole.port}`, to(), 'timeout'],
        [`socks5h://bob:${ENCODED}@127.0.0.1:${hole.port}`, to(), 'timeout'],
        ['http://bob:hunter2@', to(), 'proxy_unreachable'],
      ]
      for (const [url, where, code] of cases) {
        const check = await t.check(url, where, 250)
        expect({ url, ok: check.ok, code: check.code }).toEqual({ url, ok: false, code })
        for (const secret of SECRETS) expect(check.message ?? '').not.toContain(secret)
      }
    })
  })
})

// ---- an https:// proxy (TLS to the proxy) and https targets through tunnels -------------------

describe('TLS: an https:// proxy and https targets', () => {
  let dir: string
  let tls: { key: Buffer; cert: Buffer }
  let secure: Upstream
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbound-tls-'))
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' })
    tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }
    secure = await startUpstream(tls)
  })
  afterAll(async () => {
    await secure.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('tunnels through an https:// proxy with credentials; the probe speaks TLS too', async () => {
    const proxy = await httpProxy({ username: 'bob', password: PASSWORD, tls })
    const t = transport({ ca: tls.cert })
    const url = withCredentials(proxy.url, 'bob', ENCODED)
    expect(await text((await t.request(get(target('/via-tls-proxy'), url))).body)).toBe('GET /via-tls-proxy')
    expect(await text((await t.request(get(`https://localhost:${secure.port}/both`, url))).body)).toBe('GET /both')
    expect(await t.check(url, { host: 'localhost', port: upstream.port }, 1_000)).toMatchObject({ ok: true })
    expect(proxy.stats.tunnels).toBe(3)
    await expectFailure(t.request(get(target(), withCredentials(proxy.url, 'bob', WRONG))), 'proxy', /authentication/i)
  })

  it('an https:// proxy with an untrusted certificate is a proxy error, never a direct call', async () => {
    const proxy = await httpProxy({ tls })
    const before = upstreamSeen()
    const t = transport()
    await expectFailure(t.request(get(target(), proxy.url)), 'proxy', /certificate/)
    expect(await t.check(proxy.url, { host: 'localhost', port: upstream.port }, 1_000)).toMatchObject({ ok: false, code: 'proxy_unreachable' })
    expect(upstreamSeen()).toEqual(before)
  })

  it('https targets through HTTP CONNECT and SOCKS5 tunnels verify the target certificate', async () => {
    const [http, socks] = [await httpProxy(), await socksProxy()]
    const t = transport({ ca: tls.cert })
    for (const proxyUrl of [http.url, socks.url, socks5h(socks.url)]) {
      expect(await text((await t.request(get(`https://localhost:${secure.port}/secure`, proxyUrl))).body)).toBe('GET /secure')
    }
    await expectFailure(transport().request(get(`https://localhost:${secure.port}/secure`, socks.url)), 'network')
  })
})
