import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { buildConnector } from 'undici'
import type { AddressRefusal } from './address-policy.ts'
import { isIpLiteral } from './address-policy.ts'
import { OutboundError, type OutboundPolicy } from './outbound-transport.port.ts'

/**
 * Connecting on behalf of a user (a restricted route): the outbound address policy is applied to
 * the address the socket actually connects to. Host names go through a lookup that hands net only
 * the addresses the policy allows, so a name that resolves differently the second time (DNS
 * rebinding) cannot slip past a check made earlier; IP literals, which net never looks up, are
 * checked before the socket is opened. A refusal is an OutboundError{kind:'address_refused'}
 * (no `code`: undici fails the request instead of redialling) and nothing is sent anywhere.
 */

export const refusedError = (refusal: AddressRefusal): OutboundError => new OutboundError('address_refused', refusal.message)

const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1')

/** Every address `host` resolves to that the policy allows (in resolver order), or the refusal when none is. */
export function allowedAddresses(policy: OutboundPolicy, host: string, addresses: readonly LookupAddress[]): LookupAddress[] | OutboundError {
  const allowed = addresses.filter((a) => !policy.refusal(host, a.address))
  if (allowed.length) return allowed
  const refusal = addresses.length ? policy.refusal(host, addresses[0]!.address) : undefined
  return refusal ? refusedError(refusal) : new OutboundError('network', `${host} did not resolve to any address`)
}

/** Every address of a host name (dns.lookup with `all: true` by default; tests pass their own). */
export type Resolver = (host: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void
export const systemResolver: Resolver = (host, callback) => dnsLookup(host, { all: true }, callback)

/** A dns.lookup for net.connect / tls.connect that only ever answers allowed addresses. */
export function guardedLookup(policy: OutboundPolicy, resolver?: Resolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number | string; hints?: number }, callback: (...args: unknown[]) => void) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0
    // The system resolver gets net's own options (family, hints such as ADDRCONFIG).
    const resolve: Resolver = resolver ?? ((host, done) => dnsLookup(host, { ...options, all: true } as { all: true }, done))
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error)
      const allowed = allowedAddresses(policy, hostname, family ? addresses.filter((a) => a.family === family) : addresses)
      if (allowed instanceof Error) return callback(allowed)
      if (options.all) return callback(null, allowed)
      callback(null, allowed[0]!.address, allowed[0]!.family)
    })
  }) as LookupFunction
}

/** undici's own connector (TCP, TLS), behind the policy. */
export function guardedConnector(policy: OutboundPolicy, options: { timeout: number; ca?: string | Buffer; resolver?: Resolver }): buildConnector.connector {
  const inner = buildConnector({ timeout: options.timeout, ...(options.ca && { ca: options.ca }), lookup: guardedLookup(policy, options.resolver) })
  return (target, callback) => {
    const host = stripBrackets(target.hostname)
    const refusal = isIpLiteral(host) ? policy.refusal(host, host) : undefined
    if (refusal) return void process.nextTick(() => callback(refusedError(refusal), null))
    inner(target, callback)
  }
}

/**
 * Through a proxy: the target is resolved here and checked, and the tunnel is opened to the checked
 * address (TLS still names the host), so the proxy's own resolution cannot send it elsewhere.
 */
export function guardedTarget(policy: OutboundPolicy, host: string, resolver: Resolver = systemResolver): Promise<string> {
  const bare = stripBrackets(host)
  if (isIpLiteral(bare)) {
    const refusal = policy.refusal(bare, bare)
    return refusal ? Promise.reject(refusedError(refusal)) : Promise.resolve(bare)
  }
  return new Promise((resolve, reject) => {
    resolver(bare, (error, addresses) => {
      if (error) return reject(new OutboundError('network', `cannot resolve ${bare} (${error.code ?? 'lookup failed'})`))
      const allowed = allowedAddresses(policy, bare, addresses)
      if (allowed instanceof Error) reject(allowed)
      else resolve(allowed[0]!.address)
    })
  })
}
