import { timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DependencyContainer } from 'tsyringe'
import { resolve } from '../../../shared/di.ts'
import { MetricsExporter } from '../metrics-exporter.port.ts'

export interface MetricsServer {
  url: string
  close(): Promise<void>
}

/**
 * METRICS_PORT: a tiny HTTP server of its own answering GET /metrics (Bearer METRICS_TOKEN when set),
 * so that the scrape endpoint can live on a private network and never on the public port.
 */
export async function serveMetrics(container: DependencyContainer, options: { port: number; host: string; token?: string }): Promise<MetricsServer> {
  const exporter = resolve(container, MetricsExporter)
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics port serves GET /metrics only\n')
      return
    }
    const given = Buffer.from(req.headers.authorization ?? '')
    if (expected && (given.length !== expected.length || !timingSafeEqual(given, expected))) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('Unauthorized\n')
      return
    }
    exporter.render().then(
      (body) => res.writeHead(200, { 'content-type': exporter.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Could not collect the metrics\n'),
    )
  })
  await new Promise<void>((ready, fail) => {
    server.once('error', fail)
    server.listen(options.port, options.host, () => ready())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      }),
  }
}
