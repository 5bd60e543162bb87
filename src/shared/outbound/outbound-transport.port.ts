import type { Readable } from 'node:stream'
import { token } from '../di.ts'
import type { AddressRefusal } from './address-policy.ts'

/**
 * The one way out of the process: every call to a provider, an OAuth token endpoint or a model
 * test goes through it. It owns connect, header and idle timeouts and the per-account route
 * (direct, or through the account's proxy). A route with a proxy NEVER falls back to a direct
 * connection: a proxy that cannot be built or reached fails the call with an OutboundError.
 */
export interface OutboundRoute {
  /** http://, https://, socks5:// or socks5h:// with optional URL-encoded user:password; null/absent: direct. */
  proxyUrl?: string | null
  /**
   * true: the call is made on behalf of a user (a personal model), and the outbound address policy
   * (OutboundPolicy) decides which resolved addresses it may connect to; a refused one fails the call
   * with OutboundError{kind:'address_refused'} before any byte is sent. Absent/false: system models,
   * upstream accounts and OAuth endpoints, which admins configure, reach any address.
   */
  restricted?: boolean
}

export interface OutboundRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  /** Sent as is; the transport sets content-length. */
  body?: string
  route?: OutboundRoute
  /** Aborting closes the connection; a pending request or body read then rejects with signal.reason. */
  signal?: AbortSignal
  /** Overrides of the transport's defaults for this call (e.g. a short one for a health check). */
  timeouts?: Partial<OutboundTimeouts>
  /**
   * Shared by every attempt of one logical call (retries, failover): the total deadline runs from
   * the first attempt, so retries cannot stretch a call past it. Absent: each request has its own.
   */
  deadline?: CallDeadline
}

/** The first request of a call sets `at` (epoch ms) to now + the total timeout; later ones get what is left. */
export interface CallDeadline {
  at?: number
}

export interface OutboundTimeouts {
  /** TCP (+TLS, +proxy handshake) connect. */
  connectMs: number
  /** From the request sent to the response headers. */
  headersMs: number
  /** Silence between two body chunks. */
  idleMs: number
  /**
   * The whole call, from the request to the last body byte (a streamed reply included): past it the
   * connection is closed and the call (or the body read) fails with kind total_timeout.
   * Absent: the transport's default (UPSTREAM_TOTAL_TIMEOUT_MS).
   */
  totalMs?: number
}

export interface OutboundResponse {
  status: number
  /** Lower-case names; repeated headers joined as Node does. */
  headers: Record<string, string | string[] | undefined>
  /** Consume it or call body.destroy(). Errors while reading are OutboundErrors (kind idle_timeout / network). */
  body: Readable
}

export interface OutboundTransport {
  /** Resolves once the response headers arrived (any status); rejects with an OutboundError. */
  request(request: OutboundRequest): Promise<OutboundResponse>
}
export const OutboundTransport = token<OutboundTransport>('OutboundTransport')

/**
 * proxy: the proxy could not be built, reached, or refused the tunnel (407, SOCKS auth);
 * connect_timeout / headers_timeout / idle_timeout / total_timeout: the timeouts above;
 * address_refused: a restricted route's target is an address the policy refuses (nothing was sent);
 * network: anything else (DNS, refused, reset). Messages never contain a proxy password or a credential.
 */
export type OutboundErrorKind = 'proxy' | 'connect_timeout' | 'headers_timeout' | 'idle_timeout' | 'total_timeout' | 'address_refused' | 'network'

export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'OutboundError'
  }
}

/**
 * Which addresses a restricted route may reach (shared/outbound/address-policy.ts, from
 * OUTBOUND_ALLOW_PRIVATE and OUTBOUND_ALLOWED_HOSTS). The transport asks `refusal` for every
 * resolved address at connect time; model validation asks `hostRefusal` about a base URL's host.
 */
export interface OutboundPolicy {
  /** May a restricted route connect to `address`, which `host` resolved to (or is)? undefined: yes. */
  refusal(host: string, address: string): AddressRefusal | undefined
  /** What the host alone says (an IP literal, localhost, a metadata name); undefined: allowed or unknown until resolved. */
  hostRefusal(host: string): AddressRefusal | undefined
}
export const OutboundPolicy = token<OutboundPolicy>('OutboundPolicy')

export interface ProxyCheck {
  ok: boolean
  latencyMs: number
  /** proxy_unreachable, proxy_auth_failed, proxy_refused or timeout. */
  code?: string
  message?: string
}

/** Is the proxy reachable, and does it agree to tunnel to the target? No request is sent to the target. */
export interface ProxyProbe {
  check(proxyUrl: string, target: { host: string; port: number }, timeoutMs: number): Promise<ProxyCheck>
}
export const ProxyProbe = token<ProxyProbe>('ProxyProbe')
