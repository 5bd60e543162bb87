import { isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import type { buildConnector } from 'undici'
import { guardedTarget, type Resolver } from './guarded-connector.ts'
import type { OutboundPolicy } from './outbound-transport.port.ts'
import { openTunnel, withDeadline, type TunnelOptions } from './proxy-tunnel.ts'
import type { ProxyEndpoint } from './proxy-url.ts'

export interface ProxyConnectorOptions extends TunnelOptions {
  /**
   * A restricted route: the target is resolved here, checked against the policy, and the tunnel is
   * opened to that checked address (the proxy itself is the admin's and is not checked).
   */
  policy?: OutboundPolicy
  resolver?: Resolver
}

/**
 * An undici connector that opens every connection through the proxy (HTTP CONNECT or SOCKS5), then
 * TLS to https targets, all within one connect deadline. It never connects anywhere else: a proxy
 * that fails fails the connection. Its errors carry no `code` that undici would treat as a
 * retryable socket error, so a failing proxy fails the request instead of being redialled in a loop.
 */
export function proxyConnector(proxy: ProxyEndpoint, options: ProxyConnectorOptions): buildConnector.connector {
  const { policy, resolver, ...tunnel } = options
  return ({ hostname, port, protocol, servername }, callback) => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1')
    const targetPort = Number(port) || (protocol === 'https:' ? 443 : 80)
    const checked = policy ? guardedTarget(policy, host, resolver) : Promise.resolve(host)
    const opening = checked.then((address) => openTunnel(proxy, { host: address, port: targetPort }, tunnel)).then<Socket>((socket): Socket | Promise<TLSSocket> => {
      socket.setKeepAlive(true, 60_000)
      if (protocol !== 'https:') return socket
      return startTls(socket, { servername: servername || (isIP(host) ? undefined : host), ...options })
    })
    withDeadline(opening, options.timeoutMs).then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error, null),
    )
  }
}

function startTls(socket: Socket, { servername, ca, timeoutMs }: TunnelOptions & { servername?: string }): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const tls = tlsConnect({ socket, servername, ALPNProtocols: ['http/1.1'], ...(ca && { ca }) })
    const timer = setTimeout(() => tls.destroy(new Error('TLS handshake with the target timed out')), timeoutMs)
    const onError = (error: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    }
    tls.once('error', onError)
    tls.once('secureConnect', () => {
      clearTimeout(timer)
      tls.off('error', onError)
      resolve(tls)
    })
  })
}
