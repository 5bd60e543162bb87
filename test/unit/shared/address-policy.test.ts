import { describe, expect, it } from 'vitest'
import { classifyIp, OutboundAddressPolicy, parseAllowedHosts, parseIPv6, parseIp } from '../../../src/shared/outbound/address-policy.ts'

describe('IP parsing', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::1%eth0', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['[2001:db8::8:800:200c:417a]', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a]],
    ['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
  ])('parses %s', (text, bytes) => {
    expect(parseIPv6(text)).toEqual(bytes)
  })

  it.each(['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', '01.2.3.4x', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', 'localhost', ''])(
    'refuses %s as an IP',
    (text) => {
      expect(parseIp(text)).toBeUndefined()
    },
  )
})

describe('address classes', () => {
  it.each([
    // IPv4
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    // IPv6
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'metadata'],
    ['2001:db8::1', 'reserved'],
    // IPv4 inside IPv6
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:0001::', 'loopback'],
    ['2002:0808:0808::', 'public'],
    ['::127.0.0.1', 'reserved'],
  ])('%s is %s', (ip, category) => {
    expect(classifyIp(ip)).toBe(category)
  })

  it('answers undefined for something that is not an IP', () => {
    expect(classifyIp('example.com')).toBeUndefined()
  })
})

describe('OUTBOUND_ALLOWED_HOSTS entries', () => {
  it('accepts host names, *.domains, IPs and CIDRs (IPv6 with or without brackets)', () => {
    const { entries, problems } = parseAllowedHosts(' ollama.lan , *.internal.example,10.0.0.5, 192.168.0.0/16 ,[fd00::]/8, ::1, Trailing.Dot.Example. ,')
    expect(problems).toEqual([])
    expect(entries.map((e) => e.kind)).toEqual(['name', 'subdomains', 'range', 'range', 'range', 'range', 'name'])
  })

  it.each(['http://host', 'host:8080', '10.0.0.0/33', '::/129', '10.0.0.0/x', 'bad host', '*', '*.', 'a..b', '1.2.3.4/'])('refuses %s, naming it', (entry) => {
    const { problems } = parseAllowedHosts(`ok.example,${entry}`)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(`"${entry}"`)
  })
})

describe('OutboundAddressPolicy', () => {
  const strict = new OutboundAddressPolicy()

  it('allows public addresses and refuses the rest, naming the host but not the address it resolved to', () => {
    expect(strict.refusal('api.openai.com', '162.159.140.245')).toBeUndefined()
    expect(strict.refusal('2606:4700::6810:84e5', '2606:4700::6810:84e5')).toBeUndefined()
    const refused = strict.refusal('rebind.example', '127.0.0.1')
    expect(refused).toMatchObject({ host: 'rebind.example', category: 'loopback' })
    expect(refused!.message).toContain('rebind.example')
    expect(refused!.message).not.toContain('127.0.0.1')
    expect(strict.refusal('10.0.0.1', '10.0.0.1')!.message).toMatch(/^10\.0\.0\.1 is a private network address/)
    for (const address of ['169.254.169.254', '::ffff:127.0.0.1', '::', '0.0.0.0', '100.64.1.1', 'fe80::1', 'fd00::1', '224.0.0.1']) {
      expect(strict.refusal('h.example', address), address).toBeDefined()
    }
  })

  it('OUTBOUND_ALLOW_PRIVATE opens every address except the cloud metadata endpoints', () => {
    const open = new OutboundAddressPolicy({ allowPrivate: true, allowedHosts: [] })
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', 'fd00::1', '169.254.1.1', '100.64.0.1']) {
      expect(open.refusal('h.example', address), address).toBeUndefined()
    }
    expect(open.refusal('h.example', '169.254.169.254')).toMatchObject({ category: 'metadata' })
    expect(open.refusal('h.example', '::ffff:169.254.169.254')).toMatchObject({ category: 'metadata' })
    expect(open.hostRefusal('metadata.google.internal')).toMatchObject({ category: 'metadata' })
    expect(open.hostRefusal('localhost')).toBeUndefined()
  })

  it('the allow-list opens named hosts (whatever they resolve to), subdomains, IPs and CIDRs, and nothing else', () => {
    const listed = new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['ollama.lan', '*.corp.example', '10.1.0.0/16', '192.168.5.5', 'fd00:abcd::/32', '169.254.169.254'] })
    expect(listed.refusal('ollama.lan', '192.168.9.9')).toBeUndefined()
    expect(listed.refusal('OLLAMA.LAN.', '192.168.9.9')).toBeUndefined()
    expect(listed.refusal('gpu.corp.example', '10.9.9.9')).toBeUndefined()
    expect(listed.refusal('corp.example', '10.9.9.9')).toBeDefined() // *. means subdomains only
    expect(listed.refusal('evilollama.lan', '192.168.9.9')).toBeDefined()
    expect(listed.refusal('x.example', '10.1.200.3')).toBeUndefined()
    expect(listed.refusal('x.example', '::ffff:10.1.200.3')).toBeUndefined()
    expect(listed.refusal('x.example', '10.2.0.1')).toBeDefined()
    expect(listed.refusal('192.168.5.5', '192.168.5.5')).toBeUndefined()
    expect(listed.refusal('192.168.5.6', '192.168.5.6')).toBeDefined()
    expect(listed.refusal('x.example', 'fd00:abcd:1::1')).toBeUndefined()
    expect(listed.refusal('x.example', 'fd00:abce::1')).toBeDefined()
    expect(listed.refusal('x.example', '169.254.169.254')).toBeUndefined() // listed explicitly
    expect(listed.refusal('x.example', '127.0.0.1')).toBeDefined()
  })

  it('judges what it can from the host alone: literals, localhost and metadata names; other names wait for the lookup', () => {
    expect(strict.hostRefusal('127.0.0.1')).toMatchObject({ category: 'loopback' })
    expect(strict.hostRefusal('[::1]')).toMatchObject({ category: 'loopback' })
    expect(strict.hostRefusal('[::ffff:7f00:1]')).toMatchObject({ category: 'loopback' })
    expect(strict.hostRefusal('localhost')).toMatchObject({ category: 'loopback' })
    expect(strict.hostRefusal('api.localhost')).toMatchObject({ category: 'loopback' })
    expect(strict.hostRefusal('metadata.google.internal')).toMatchObject({ category: 'metadata' })
    expect(strict.hostRefusal('169.254.169.254')).toMatchObject({ category: 'metadata' })
    expect(strict.hostRefusal('api.openai.com')).toBeUndefined()
    expect(strict.hostRefusal('8.8.8.8')).toBeUndefined()
    expect(new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['localhost'] }).hostRefusal('localhost')).toBeUndefined()
  })
})
