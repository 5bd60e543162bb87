// The app under bench as production runs it: bench/lib/relay-server.ts bundled to plain JavaScript
// the way scripts/build.mjs bundles the server, run by node with the flags of that checkout's
// `npm start` (package.json). A baseline checkout gets its own bundle and its own flags.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'
import { serverBundleOptions } from '../../scripts/lib/server-bundle.mjs'
import { startNode, type Child } from './proc.ts'

/** The node options of `npm start` in a checkout's package.json: `node <these> dist/main.js`. */
export function startFlags(checkout: string): string[] {
  const start = (JSON.parse(readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  const command = /\bnode ((?:--\S+ )*)dist\/main\.js/.exec(start)
  if (!command) throw new Error(`${checkout}/package.json: no "node ... dist/main.js" in the start script`)
  return command[1]!.trim().split(/\s+/).filter(Boolean)
}

/**
 * Bundles and starts the bench app of `checkout` (default: this one); env as for relay-server.ts.
 * BENCH_APP_NODE_ARGS adds node options (say `--heapsnapshot-signal=SIGUSR1`).
 */
export async function startApp(env: Record<string, string> = {}, checkout = process.cwd()): Promise<Child<{ url: string }>> {
  const outfile = path.join(checkout, 'dist', 'bench', 'relay-server.mjs')
  await build({
    absWorkingDir: checkout,
    entryPoints: [path.join(checkout, 'bench/lib/relay-server.ts')],
    tsconfig: path.join(checkout, 'tsconfig.json'),
    outfile,
    ...serverBundleOptions,
  })
  const extra = process.env.BENCH_APP_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []
  return startNode<{ url: string }>([...startFlags(checkout), ...extra, outfile], env)
}
