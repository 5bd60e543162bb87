/**
 * Proxy URLs of upstream accounts: `http://`, `https://`, `socks5://` (the target is resolved here)
 * and `socks5h://` (the proxy resolves it), with optional URL-encoded `user:password@`.
 * Pure: no I/O. Nothing here ever puts a password into a message or a masked form.
 */
export type ProxyProtocol = 'http' | 'https' | 'socks5' | 'socks5h'

export interface ProxyEndpoint {
  protocol: ProxyProtocol
  /** Without brackets for IPv6 (ready for net.connect). */
  host: string
  port: number
  /** Decoded. */
  username?: string
  /** Decoded. */
  password?: string
}

export class ProxyUrlError extends Error {
  constructor(message: string) {
    super(`invalid proxy URL: ${message}`)
    this.name = 'ProxyUrlError'
  }
}

const DEFAULT_PORTS: Record<ProxyProtocol, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080 }
const isProtocol = (value: string): value is ProxyProtocol => Object.hasOwn(DEFAULT_PORTS, value)
const SHAPE = 'expected http://, https://, socks5:// or socks5h:// followed by [user:password@]host[:port]'

export function parseProxyUrl(text: string): ProxyEndpoint {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text.trim())?.[1]?.toLowerCase()
  if (!scheme) throw new ProxyUrlError(SHAPE)
  if (!isProtocol(scheme)) throw new ProxyUrlError(`unsupported scheme "${scheme}" (${SHAPE})`)
  const userHostPort = /^[^:]+:\/\/([^/?#]*)/.exec(text.trim())?.[1] ?? ''
  if (/^(:|$)/.test(userHostPort.slice(userHostPort.lastIndexOf('@') + 1))) throw new ProxyUrlError('missing host')
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    // The URL parser's own message may quote the input, password included.
    throw new ProxyUrlError(`not a valid URL (${SHAPE}; URL-encode special characters in user and password)`)
  }
  if (url.pathname !== '' && url.pathname !== '/') throw new ProxyUrlError('a proxy URL has no path')
  if (url.search !== '') throw new ProxyUrlError('a proxy URL has no query')
  if (url.hash !== '') throw new ProxyUrlError('a proxy URL has no fragment')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new ProxyUrlError('missing host')
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port)
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ProxyUrlError('port must be 1-65535')
  return { protocol: scheme, host, port, ...credentials(url) }
}

function credentials(url: URL): Pick<ProxyEndpoint, 'username' | 'password'> {
  try {
    return {
      ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
      ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    }
  } catch {
    throw new ProxyUrlError('user or password is not valid URL encoding (encode % as %25)')
  }
}

/** `socks5://bob:***@10.0.0.1:1080`: for logs and admin views. Never the password, even for an invalid URL. */
export function maskProxyUrl(text: string): string {
  let proxy: ProxyEndpoint
  try {
    proxy = parseProxyUrl(text)
  } catch {
    return '<invalid proxy URL>'
  }
  return formatProxy(proxy)
}

export function formatProxy({ protocol, host, port, username, password }: ProxyEndpoint): string {
  const user = username === undefined ? '' : encodeURIComponent(username)
  const auth = username === undefined && password === undefined ? '' : `${user}${password === undefined ? '' : ':***'}@`
  return `${protocol}://${auth}${authority(host, port)}`
}

/** The Proxy-Authorization value for an HTTP CONNECT proxy (Basic, from the decoded credentials). */
export function proxyAuthorization({ username, password }: ProxyEndpoint): string | undefined {
  if (username === undefined && password === undefined) return undefined
  return `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`
}

/** `host:port` as a CONNECT request target or an origin's authority (IPv6 in brackets). */
export const authority = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`
