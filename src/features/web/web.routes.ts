import type { Context } from 'hono'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { requestHeader } from '../../shared/http/node-request.ts'
import type { WebAsset } from './adapters/web-assets.ts'
import { CONSOLE_CSP, cacheControlFor, isApiPath } from './content-security-policy.ts'

/** Every console file and client route shares one metrics label, like unknown paths share `unmatched`. */
export const CONSOLE_ROUTE_LABEL = 'console'

/**
 * Serves the web console for requests no API route took (it runs as the app's not-found handler,
 * so it can never shadow an API route). GET/HEAD only; API paths and missing files keep the JSON 404.
 * Paths without a file extension are client-side routes: they get index.html.
 */
export function webConsole(assets: Map<string, WebAsset>) {
  return (c: Context<AppEnv>): Response | undefined => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return undefined
    const path = c.req.path
    if (isApiPath(path) || path.includes('..')) return undefined
    const rel = path.replace(/^\/+/, '')
    let file = rel === '' ? 'index.html' : rel
    let asset = assets.get(file)
    if (!asset) {
      if (/\.[a-z0-9]+$/i.test(rel)) return undefined
      file = 'index.html'
      asset = assets.get(file)
    }
    if (!asset) {
      if (file !== 'index.html') return undefined
      return c.text('The web console is not built: run `npm run build`.', 503)
    }
    c.set('routeLabel', CONSOLE_ROUTE_LABEL)
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': cacheControlFor(file),
      'content-security-policy': CONSOLE_CSP,
      etag: asset.etag,
      vary: 'accept-encoding',
    }
    if (requestHeader(c, 'if-none-match') === asset.etag) return c.body(null, 304, headers)
    const gzip = asset.gzip && /\bgzip\b/.test(requestHeader(c, 'accept-encoding') ?? '')
    if (gzip) headers['content-encoding'] = 'gzip'
    const body = gzip ? asset.gzip! : asset.body
    headers['content-length'] = String(body.length)
    if (c.req.method === 'HEAD') return c.body(null, 200, headers)
    return c.body(new Uint8Array(body), 200, headers)
  }
}
