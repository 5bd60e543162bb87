import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export interface WebAsset {
  body: Buffer
  gzip?: Buffer
  type: string
  etag: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map'])

/** dist/web of this checkout: found from this file, whether it runs from src/ (tsx) or dist/ (bundle). */
export function defaultWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return path.join(dir, 'dist', 'web')
}

/** The built console, read once into memory (a few hundred kB), gzipped once. Empty when not built. */
export function loadWebAssets(dir: string = defaultWebDir()): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>()
  if (!existsSync(path.join(dir, 'index.html'))) return assets
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name
      const full = path.join(dir, rel)
      if (statSync(full).isDirectory()) walk(rel)
      else {
        const ext = path.extname(name)
        const body = readFileSync(full)
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
        assets.set(rel, { body, type: TYPES[ext] ?? 'application/octet-stream', etag, gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined })
      }
    }
  }
  walk('')
  return assets
}
