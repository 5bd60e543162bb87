import { connect, createServer, isIPv6, type AddressInfo, type Socket } from 'node:net'

/**
 * A real SOCKS5 server for tests: RFC 1928 CONNECT with IPv4, domain-name (what socks5h sends) and
 * IPv6 targets, optional RFC 1929 username/password, counters. close() kills it: stops listening
 * and destroys every socket.
 */
export interface Socks5ProxyOptions {
  username?: string
  password?: string
}

export interface Socks5Target {
  type: 'ipv4' | 'domain' | 'ipv6'
  host: string
  port: number
}

export interface Socks5ProxyStats {
  /** TCP connections accepted from clients. */
  connections: number
  /** Username/password sub-negotiations received (RFC 1929), good or bad. */
  auths: number
  authFailures: number
  /** CONNECT requests answered "succeeded". */
  tunnels: number
  targets: Socks5Target[]
}

export interface Socks5Proxy {
  readonly port: number
  /** `socks5://127.0.0.1:port`, without credentials (use `socks5h:` for proxy-side resolution). */
  readonly url: string
  readonly stats: Socks5ProxyStats
  close(): Promise<void>
}

const VERSION = 5
const NO_AUTH = 0x00
const USER_PASS = 0x02
const NO_ACCEPTABLE = 0xff
const CMD_CONNECT = 0x01
const ATYP = { ipv4: 0x01, domain: 0x03, ipv6: 0x04 } as const
const REPLY = { succeeded: 0x00, failure: 0x01, networkUnreachable: 0x03, hostUnreachable: 0x04, refused: 0x05, commandNotSupported: 0x07, addressNotSupported: 0x08 }

export async function startSocks5Proxy(options: Socks5ProxyOptions = {}): Promise<Socks5Proxy> {
  const stats: Socks5ProxyStats = { connections: 0, auths: 0, authFailures: 0, tunnels: 0, targets: [] }
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('close', () => sockets.delete(socket))
  }
  const server = createServer((client) => {
    stats.connections++
    track(client)
    handshake(client, options, stats, track).catch(() => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `socks5://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

async function handshake(client: Socket, options: Socks5ProxyOptions, stats: Socks5ProxyStats, track: (s: Socket) => void) {
  const input = new ByteReader(client)
  const [version, count] = await input.read(2)
  if (version !== VERSION) return void client.destroy()
  const methods = [...(await input.read(count!))]
  const needsAuth = options.username !== undefined || options.password !== undefined
  const method = needsAuth ? USER_PASS : NO_AUTH
  if (!methods.includes(method)) return void client.end(Buffer.from([VERSION, NO_ACCEPTABLE]))
  client.write(Buffer.from([VERSION, method]))
  if (needsAuth && !(await authenticate(client, input, options, stats))) return

  const [, command, , atyp] = await input.read(4)
  const target = await readTarget(input, atyp!)
  if (!target) return void client.end(reply(REPLY.addressNotSupported))
  stats.targets.push(target)
  if (command !== CMD_CONNECT) return void client.end(reply(REPLY.commandNotSupported))

  const upstream = connect({ host: target.host, port: target.port })
  track(upstream)
  upstream.once('error', (error: NodeJS.ErrnoException) => client.end(reply(failureCode(error.code))))
  upstream.once('connect', () => {
    stats.tunnels++
    client.write(reply(REPLY.succeeded))
    const rest = input.detach()
    if (rest.length > 0) upstream.write(rest)
    client.pipe(upstream).pipe(client)
  })
}

/** RFC 1929: VER=1 ULEN UNAME PLEN PASSWD; answers 01 00 or 01 01 (then closes). */
async function authenticate(client: Socket, input: ByteReader, options: Socks5ProxyOptions, stats: Socks5ProxyStats): Promise<boolean> {
  stats.auths++
  const [version, userLength] = await input.read(2)
  const username = (await input.read(userLength!)).toString('utf8')
  const [passwordLength] = await input.read(1)
  const password = (await input.read(passwordLength!)).toString('utf8')
  const ok = version === 1 && username === (options.username ?? '') && password === (options.password ?? '')
  if (ok) {
    client.write(Buffer.from([1, 0]))
    return true
  }
  stats.authFailures++
  client.end(Buffer.from([1, 1]))
  return false
}

async function readTarget(input: ByteReader, atyp: number): Promise<Socks5Target | undefined> {
  let type: Socks5Target['type']
  let host: string
  if (atyp === ATYP.ipv4) {
    type = 'ipv4'
    host = [...(await input.read(4))].join('.')
  } else if (atyp === ATYP.domain) {
    type = 'domain'
    const [length] = await input.read(1)
    host = (await input.read(length!)).toString('utf8')
  } else if (atyp === ATYP.ipv6) {
    type = 'ipv6'
    const bytes = await input.read(16)
    host = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':')
    host = compressIPv6(host)
  } else {
    return undefined
  }
  const port = (await input.read(2)).readUInt16BE(0)
  return { type, host, port }
}

const compressIPv6 = (full: string): string => {
  // Node's own formatting (e.g. '::1') through a throwaway URL.
  const host = new URL(`http://[${full}]/`).hostname.slice(1, -1)
  return isIPv6(host) ? host : full
}

/** VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0 */
const reply = (code: number) => Buffer.from([VERSION, code, 0, ATYP.ipv4, 0, 0, 0, 0, 0, 0])

function failureCode(code: string | undefined): number {
  if (code === 'ECONNREFUSED') return REPLY.refused
  if (code === 'ENETUNREACH') return REPLY.networkUnreachable
  if (code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return REPLY.hostUnreachable
  return REPLY.failure
}

/** Exact-length reads from a socket; detach() hands back what was read ahead and stops listening. */
class ByteReader {
  private buffered = Buffer.alloc(0)
  private waiting?: { length: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void }
  private closed = false
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk])
    this.pump()
  }

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData)
    socket.once('close', () => {
      this.closed = true
      this.waiting?.reject(new Error('client closed during the handshake'))
    })
  }

  read(length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('client closed during the handshake'))
      this.waiting = { length, resolve, reject }
      this.pump()
    })
  }

  detach(): Buffer {
    this.socket.off('data', this.onData)
    return this.buffered
  }

  private pump() {
    const waiting = this.waiting
    if (!waiting || this.buffered.length < waiting.length) return
    this.waiting = undefined
    const bytes = this.buffered.subarray(0, waiting.length)
    this.buffered = this.buffered.subarray(waiting.length)
    waiting.resolve(bytes)
  }
}
