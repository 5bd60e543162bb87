// The floor: a bare node:http pass-through proxy (no auth, no parsing, no accounting).
// Run: node --import tsx bench/bare-proxy.ts http://127.0.0.1:<upstream-port>
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const target = new URL(process.argv[2] ?? 'http://127.0.0.1:8080')
const agent = new http.Agent({ keepAlive: true })

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, host: target.host }
  const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', () => res.destroy())
  res.on('close', () => upstream.destroy()) // client gone: drop the upstream request too
  req.pipe(upstream)
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
