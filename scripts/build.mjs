// Builds the server and its command-line tools into dist/ as plain JavaScript, so that `npm start`
// and the Docker image run node alone (no TypeScript loader: less memory, faster start).
//
//   node scripts/build.mjs             build now
//   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
//
// One ESM bundle per entry point, with packages left in node_modules. Decorators are TypeScript's
// legacy ones (tsconfig's experimentalDecorators), which esbuild compiles; no decorator metadata
// is needed because every injection names its token (docs/architecture.md).
//
// The web console (web/, Preact) is bundled by the same esbuild into dist/web: content-hashed
// files under assets/ and an index.html that names them (docs/architecture.md, "Web console").
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverBundleOptions } from './lib/server-bundle.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdir = path.join(root, 'dist')
const stamp = path.join(outdir, '.built')

export const entryPoints = {
  main: 'src/main.ts',
  admin: 'scripts/admin.ts',
  'db-migrate': 'scripts/db-migrate.ts',
  'keys-rotate': 'scripts/keys-rotate.ts',
}

const sources = ['src', 'scripts', 'web', 'package.json', 'tsconfig.json']

function newestChange(entry) {
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestChange(path.join(entry, name)))
  return newest
}

function isStale() {
  if (!existsSync(stamp)) return true
  const built = statSync(stamp).mtimeMs
  return sources.some((source) => newestChange(path.join(root, source)) > built)
}

async function build() {
  // Imported here so that `--if-stale` on an up-to-date build costs only the file walk.
  const esbuild = await import('esbuild')
  const started = Date.now()
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([name, file]) => [name, path.join(root, file)])),
    outdir,
    ...serverBundleOptions,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  })
  await buildWeb(esbuild)
  writeFileSync(stamp, new Date().toISOString() + '\n')
  console.log(`built dist/ in ${Date.now() - started} ms`)
}

async function buildWeb(esbuild) {
  const webOut = path.join(outdir, 'web')
  rmSync(webOut, { recursive: true, force: true })
  mkdirSync(webOut, { recursive: true })
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: path.join(root, 'web/src/main.tsx') },
    outdir: webOut,
    entryNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(webOut, path.join(root, file)))
  const js = outputs.find((file) => file.endsWith('.js'))
  const css = outputs.find((file) => file.endsWith('.css'))
  const html = readFileSync(path.join(root, 'web/index.html'), 'utf8').replace('%JS%', `/${js}`).replace('%CSS%', `/${css}`)
  writeFileSync(path.join(webOut, 'index.html'), html)
}

const ifStale = process.argv.includes('--if-stale')
if (!existsSync(path.join(root, 'src', 'main.ts'))) {
  // The Docker image installs its packages before it copies the sources: nothing to build yet.
  console.log('no sources yet: build skipped')
} else if (!ifStale || isStale()) {
  await build()
}
