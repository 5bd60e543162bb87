import type { OutboundPolicy } from './outbound-transport.port.ts'

/**
 * The outbound address policy: which addresses a call made on behalf of a user (a personal model)
 * may reach. Pure: parsing and classifying IP addresses, no I/O (the transport resolves names and
 * asks this at connect time; model validation asks it about literal hosts up front).
 *
 * Refused unless the admin allows it: loopback, private (RFC 1918, fc00::/7, fec0::/10), link-local
 * (169.254/16, fe80::/10), CGNAT (100.64/10), unspecified (0/8, ::), multicast, reserved and
 * documentation ranges, the same inside IPv4-mapped, -translated, NAT64 and 6to4 IPv6 forms, and
 * cloud metadata endpoints. OUTBOUND_ALLOW_PRIVATE opens everything but the metadata endpoints;
 * OUTBOUND_ALLOWED_HOSTS opens the listed host names, IPs and CIDRs (metadata included, if listed).
 */

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'cgnat' | 'unspecified' | 'multicast' | 'reserved' | 'metadata'

/** 4 bytes (IPv4) or 16 bytes (IPv6). */
export type IpBytes = readonly number[]

export function parseIPv4(text: string): IpBytes | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const bytes: number[] = []
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    bytes.push(value)
  }
  return bytes
}

/** RFC 4291 text forms: `::` compression, an IPv4 tail, a `%zone` (ignored), with or without brackets. */
export function parseIPv6(text: string): IpBytes | undefined {
  let rest = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (!rest.includes(':')) return undefined
  const tail: number[] = []
  const lastColon = rest.lastIndexOf(':')
  if (rest.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(rest.slice(lastColon + 1))
    if (!v4) return undefined
    tail.push(...v4)
    rest = `${rest.slice(0, lastColon + 1)}0:0`
  }
  const halves = rest.split('::')
  if (halves.length > 2) return undefined
  const groups = (half: string): number[] | undefined => {
    if (half === '') return []
    const out: number[] = []
    for (const group of half.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined
      out.push(Number.parseInt(group, 16))
    }
    return out
  }
  const head = groups(halves[0]!)
  const back = halves.length === 2 ? groups(halves[1]!) : []
  if (!head || !back) return undefined
  const missing = 8 - head.length - back.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...back]
  const bytes = all.flatMap((group) => [group >> 8, group & 0xff])
  if (tail.length) bytes.splice(12, 4, ...tail)
  return bytes
}

export const parseIp = (text: string): IpBytes | undefined => parseIPv4(text) ?? parseIPv6(text)
export const isIpLiteral = (text: string): boolean => parseIp(text) !== undefined

interface Cidr {
  bytes: IpBytes
  prefix: number
}

function inCidr(address: IpBytes, { bytes, prefix }: Cidr): boolean {
  if (address.length !== bytes.length) return false
  for (let bit = 0; bit < prefix; bit += 8) {
    const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff
    if ((address[bit / 8]! & mask) !== (bytes[bit / 8]! & mask)) return false
  }
  return true
}

function cidr(text: string): Cidr {
  const [ip, bits] = text.split('/')
  const bytes = parseIp(ip!)
  if (!bytes) throw new Error(`bad built-in range ${text}`)
  return { bytes, prefix: Number(bits ?? bytes.length * 8) }
}

const table = (rows: Array<[string, AddressClass]>) => rows.map(([range, category]) => ({ range: cidr(range), category }))

// First match wins: the metadata endpoints sit inside ranges they must not be confused with.
const IPV4 = table([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean...
  ['169.254.170.2/32', 'metadata'], // AWS ECS task metadata
  ['169.254.170.23/32', 'metadata'], // AWS EKS pod identity
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // and 255.255.255.255
])

const IPV6 = table([
  ['fd00:ec2::254/128', 'metadata'], // AWS (IPv6)
  ['fd00:ec2::23/128', 'metadata'], // AWS EKS pod identity (IPv6)
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['::/96', 'reserved'], // IPv4-compatible (deprecated)
  ['100::/64', 'reserved'], // discard
  ['2001:db8::/32', 'reserved'], // documentation
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'private'], // site-local (deprecated)
  ['ff00::/8', 'multicast'],
])

/** IPv6 forms that carry an IPv4 address the packet (or a translator) ends up at. */
const EMBEDDED_V4: Array<{ range: Cidr; at: number }> = [
  { range: cidr('::ffff:0:0/96'), at: 12 }, // IPv4-mapped
  { range: cidr('::ffff:0:0:0/96'), at: 12 }, // IPv4-translated
  { range: cidr('64:ff9b::/96'), at: 12 }, // NAT64
  { range: cidr('2002::/16'), at: 2 }, // 6to4
]

/** The IPv4 address inside an IPv6 one, when it has one; the address itself otherwise. */
export function unwrap(address: IpBytes): IpBytes {
  if (address.length !== 16) return address
  const embedded = EMBEDDED_V4.find(({ range }) => inCidr(address, range))
  return embedded ? address.slice(embedded.at, embedded.at + 4) : address
}

export function classify(address: IpBytes): AddressClass {
  const ip = unwrap(address)
  const rows = ip.length === 4 ? IPV4 : IPV6
  return rows.find(({ range }) => inCidr(ip, range))?.category ?? 'public'
}

/** Classifies a textual IP address; undefined when it is not one. */
export function classifyIp(text: string): AddressClass | undefined {
  const bytes = parseIp(text)
  return bytes && classify(bytes)
}

// ---- the allow-list ----------------------------------------------------------------------------

/** An OUTBOUND_ALLOWED_HOSTS entry: a host name, `*.suffix` (any subdomain), an IP or a CIDR. */
export type AllowedHost = { kind: 'name'; name: string } | { kind: 'subdomains'; suffix: string } | { kind: 'range'; range: Cidr }

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/
const normalizeName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '')

/** Parses one entry; throws with a message naming the entry when it is none of the accepted forms. */
export function parseAllowedHost(raw: string): AllowedHost {
  const text = normalizeName(raw).replace(/^\[(.*)\](\/\d+)?$/, '$1$2')
  const slash = text.indexOf('/')
  if (slash !== -1) {
    const bytes = parseIp(text.slice(0, slash))
    const bitsText = text.slice(slash + 1)
    const prefix = Number(bitsText)
    if (!bytes || !/^\d{1,3}$/.test(bitsText) || prefix > bytes.length * 8) throw new Error(`"${raw}" is not a valid CIDR`)
    return { kind: 'range', range: { bytes, prefix } }
  }
  const bytes = parseIp(text)
  if (bytes) return { kind: 'range', range: { bytes, prefix: bytes.length * 8 } }
  if (text.startsWith('*.') && HOST_NAME.test(text.slice(2))) return { kind: 'subdomains', suffix: text.slice(2) }
  if (HOST_NAME.test(text)) return { kind: 'name', name: text }
  throw new Error(`"${raw}" is not a host name, *.domain, IP address or CIDR`)
}

/** Comma-separated entries; blanks are skipped. Problems name each bad entry. */
export function parseAllowedHosts(text: string): { entries: AllowedHost[]; problems: string[] } {
  const entries: AllowedHost[] = []
  const problems: string[] = []
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      entries.push(parseAllowedHost(item))
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  return { entries, problems }
}

// ---- the policy --------------------------------------------------------------------------------

export interface AddressRefusal {
  /** The host as the model's URL names it. */
  host: string
  category: Exclude<AddressClass, 'public'>
  /** Names the host and why; never the resolved address or anything secret. */
  message: string
}

export interface OutboundPolicyOptions {
  /** OUTBOUND_ALLOW_PRIVATE: every address but the cloud metadata endpoints. */
  allowPrivate: boolean
  /** OUTBOUND_ALLOWED_HOSTS, as given (see parseAllowedHost). */
  allowedHosts: readonly string[]
}

const DESCRIPTIONS: Record<AddressRefusal['category'], string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  link_local: 'a link-local address',
  cgnat: 'a shared (CGNAT) address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  metadata: 'a cloud metadata endpoint',
}

/** Names that always mean this machine (RFC 6761) or a cloud's metadata service. */
const LOCAL_NAMES = /(^|\.)localhost$/
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal'])

/**
 * What a restricted route (a personal model) may connect to. Unrestricted routes (system models,
 * upstream accounts, OAuth) never consult it.
 */
export class OutboundAddressPolicy implements OutboundPolicy {
  private readonly entries: AllowedHost[]
  readonly allowPrivate: boolean

  constructor(options: OutboundPolicyOptions = { allowPrivate: false, allowedHosts: [] }) {
    this.allowPrivate = options.allowPrivate
    this.entries = options.allowedHosts.map(parseAllowedHost)
  }

  /** Connect time: may a restricted route connect to `address`, which `host` resolved to (or is)? */
  refusal(host: string, address: string): AddressRefusal | undefined {
    const name = normalizeName(host).replace(/^\[(.*)\]$/, '$1')
    if (this.namedAllowed(name)) return undefined
    const bytes = parseIp(address)
    // Not an IP (cannot happen for a resolved address): refuse rather than guess.
    const category = bytes ? classify(bytes) : 'reserved'
    if (category === 'public') return undefined
    if (bytes && this.rangeAllowed(bytes)) return undefined
    if (this.allowPrivate && category !== 'metadata') return undefined
    const literal = isIpLiteral(name)
    return { host: name, category, message: `${literal ? `${name} is` : `${name} resolves to`} ${DESCRIPTIONS[category]}, which personal models may not reach` }
  }

  /**
   * What the host alone says, before any lookup: an IP literal, `localhost`, a metadata name.
   * undefined: allowed, or only resolving it can tell (the connect-time check still runs).
   */
  hostRefusal(host: string): AddressRefusal | undefined {
    const name = normalizeName(host).replace(/^\[(.*)\]$/, '$1')
    if (isIpLiteral(name)) return this.refusal(name, name)
    if (this.namedAllowed(name)) return undefined
    if (LOCAL_NAMES.test(name)) return this.allowPrivate ? undefined : { host: name, category: 'loopback', message: `${name} is ${DESCRIPTIONS.loopback}, which personal models may not reach` }
    if (METADATA_NAMES.has(name)) return { host: name, category: 'metadata', message: `${name} is ${DESCRIPTIONS.metadata}, which personal models may not reach` }
    return undefined
  }

  private namedAllowed(name: string): boolean {
    return this.entries.some((e) => (e.kind === 'name' && e.name === name) || (e.kind === 'subdomains' && name.endsWith(`.${e.suffix}`)))
  }

  /** An IPv4 entry also covers the IPv4 address inside a mapped (or NAT64, 6to4) IPv6 one. */
  private rangeAllowed(bytes: IpBytes): boolean {
    const inner = unwrap(bytes)
    return this.entries.some((e) => e.kind === 'range' && (inCidr(bytes, e.range) || inCidr(inner, e.range)))
  }
}
