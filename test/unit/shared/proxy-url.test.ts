import { describe, expect, it } from 'vitest'
import { maskProxyUrl, parseProxyUrl, ProxyUrlError } from '../../../src/shared/outbound/proxy-url.ts'

const SPECIAL = 'p@ss:w/rd%'

describe('parseProxyUrl', () => {
  it.each([
    ['http://10.0.0.1', { protocol: 'http', host: '10.0.0.1', port: 80 }],
    ['https://proxy.example.com', { protocol: 'https', host: 'proxy.example.com', port: 443 }],
    ['socks5://10.0.0.1', { protocol: 'socks5', host: '10.0.0.1', port: 1080 }],
    ['socks5h://proxy.example.com:9050/', { protocol: 'socks5h', host: 'proxy.example.com', port: 9050 }],
    ['HTTP://Proxy.Example.com:8080', { protocol: 'http', host: 'proxy.example.com', port: 8080 }],
    ['socks5://[::1]:1080', { protocol: 'socks5', host: '::1', port: 1080 }],
    ['http://[2001:db8::1]:3128', { protocol: 'http', host: '2001:db8::1', port: 3128 }],
    ['http://bob:secret@10.0.0.1:3128', { protocol: 'http', host: '10.0.0.1', port: 3128, username: 'bob', password: 'secret' }],
    ['socks5://bob@10.0.0.1', { protocol: 'socks5', host: '10.0.0.1', port: 1080, username: 'bob' }],
  ])('%s', (text, expected) => {
    expect(parseProxyUrl(text)).toEqual(expected)
  })

  it.each(['http', 'https', 'socks5', 'socks5h'])('decodes URL-encoded special characters in %s credentials', (scheme) => {
    const text = `${scheme}://${encodeURIComponent('bö b@x')}:${encodeURIComponent(SPECIAL)}@10.0.0.1:1234`
    expect(parseProxyUrl(text)).toMatchObject({ username: 'bö b@x', password: SPECIAL })
  })

  it.each([
    ['ftp://10.0.0.1:21', /unsupported scheme "ftp"/],
    ['socks4://10.0.0.1', /unsupported scheme "socks4"/],
    ['10.0.0.1:8080', /expected http:\/\//],
    ['', /expected http:\/\//],
    ['http://10.0.0.1:8080/path', /no path/],
    ['socks5://10.0.0.1:1080/x', /no path/],
    ['http://10.0.0.1:8080?x=1', /no query/],
    ['http://10.0.0.1:8080#frag', /no fragment/],
    ['socks5://:1080', /missing host/],
    ['socks5://bob:pw@:1080', /missing host/],
    ['http://bob:pw@', /not a valid URL|missing host/],
    ['http://10.0.0.1:99999', /not a valid URL|port/],
    ['socks5://10.0.0.1:0', /port must be 1-65535/],
    ['http://10.0.0.1:abc', /not a valid URL|port/],
    ['http://bob:p%zz@10.0.0.1', /not valid URL encoding/],
  ])('rejects %s', (text, message) => {
    expect(() => parseProxyUrl(text)).toThrow(ProxyUrlError)
    expect(() => parseProxyUrl(text)).toThrow(message)
  })

  it('never puts the password into its message', () => {
    for (const text of [
      'ftp://bob:hunter2@10.0.0.1',
      'http://bob:hunter2@10.0.0.1:99999',
      'http://bob:hunter2@10.0.0.1/path',
      'socks5://bob:hunter2@:1080',
      'http://bob:hunter2%zz@10.0.0.1',
      'http://bob:hunter2@10.0.0.1 extra',
    ]) {
      expect(() => parseProxyUrl(text), text).toThrow(ProxyUrlError)
      try {
        parseProxyUrl(text)
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2')
      }
    }
  })
})

describe('maskProxyUrl', () => {
  it.each([
    ['socks5://bob:secret@10.0.0.1:1080', 'socks5://bob:***@10.0.0.1:1080'],
    ['socks5h://bob:secret@proxy.example.com', 'socks5h://bob:***@proxy.example.com:1080'],
    ['http://10.0.0.1', 'http://10.0.0.1:80'],
    ['https://bob@proxy.example.com', 'https://bob@proxy.example.com:443'],
    ['http://:secret@10.0.0.1:3128', 'http://:***@10.0.0.1:3128'],
    ['socks5://[::1]:1080', 'socks5://[::1]:1080'],
    [`http://bob:${encodeURIComponent(SPECIAL)}@10.0.0.1:3128`, 'http://bob:***@10.0.0.1:3128'],
    ['http://bob:secret@10.0.0.1:3128/path', '<invalid proxy URL>'],
  ])('%s -> %s', (text, masked) => {
    expect(maskProxyUrl(text)).toBe(masked)
  })

  it('keeps the username URL-encoded so the masked form stays one URL', () => {
    expect(maskProxyUrl(`http://${encodeURIComponent('a@b')}:x@10.0.0.1:1`)).toBe('http://a%40b:***@10.0.0.1:1')
  })
})
