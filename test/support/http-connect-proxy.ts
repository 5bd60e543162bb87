import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/**
 * A real HTTP CONNECT proxy for tests (what undici's ProxyAgent and our tunnel speak: CONNECT for
 * http and https targets alike). Optional Basic credentials (407 otherwise), optional TLS (an
 * https:// proxy), counters. close() kills it: stops listening and destroys every socket.
 */
export interface HttpConnectProxyOptions {
  username?: string
  password?: string
  /** Speak TLS to clients (an https:// proxy). */
  tls?: { key: string | Buffer; cert: string | Buffer }
}

export interface HttpConnectProxyStats {
  /** TCP connections accepted from clients. */
  connections: number
  /** CONNECT requests answered 200 with a tunnel to the target. */
  tunnels: number
  /** CONNECT requests answered 407. */
  authFailures: number
  /** `host:port` of every CONNECT request, as received. */
  targets: string[]
}

export interface HttpConnectProxy {
  readonly port: number
  /** `http://127.0.0.1:port` (or https://), without credentials. */
  readonly url: string
  readonly stats: HttpConnectProxyStats
  /** Stops listening and destroys all client and target sockets. */
  close(): Promise<void>
}

const PROXY_AUTH_REQUIRED =
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'

export async function startHttpConnectProxy(options: HttpConnectProxyOptions = {}): Promise<HttpConnectProxy> {
  const stats: HttpConnectProxyStats = { connections: 0, tunnels: 0, authFailures: 0, targets: [] }
  const sockets = new Set<Duplex>()
  const track = (socket: Duplex) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('close', () => sockets.delete(socket))
  }
  const server: Server = options.tls ? createHttpsServer(options.tls) : createHttpServer()
  server.on('connection', (socket: Socket) => {
    stats.connections++
    track(socket)
  })
  server.on('request', (_req, res) => res.writeHead(501, { connection: 'close' }).end('this proxy only speaks CONNECT'))
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client)
    stats.targets.push(req.url ?? '')
    if (!authorized(req.headers['proxy-authorization'], options)) {
      stats.authFailures++
      return void client.end(PROXY_AUTH_REQUIRED)
    }
    const target = parseTarget(req.url ?? '')
    if (!target) return void client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
    const upstream = connect(target)
    track(upstream)
    upstream.once('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'))
    upstream.once('connect', () => {
      stats.tunnels++
      // The answer's head in two writes, as a real proxy may send it: a client must read to the blank line.
      client.write('HTTP/1.1 200 Connection Established\r\n')
      setTimeout(() => {
        client.write('Proxy-Agent: test-connect-proxy\r\n\r\n')
        if (head.length > 0) upstream.write(head)
        client.pipe(upstream).pipe(client)
      }, 2)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

function authorized(header: string | undefined, { username, password }: HttpConnectProxyOptions): boolean {
  if (username === undefined && password === undefined) return true
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '')
  if (!match) return false
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  return decoded === `${username ?? ''}:${password ?? ''}`
}

/** `host:port` or `[v6]:port`. */
function parseTarget(authority: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(authority)
  if (!match) return undefined
  return { host: match[1] ?? match[2]!, port: Number(match[3]) }
}
