// Start-up time and idle memory of the server, the way `npm start` runs it, beside the same code
// under the TypeScript loader (the previous `npm start`). Targets take turns; the median is kept.
//
//   npx tsx bench/startup.bench.ts            ROUNDS=5 (default)
//   BASELINE_DIR=<checkout> ...               also that checkout's `npm start` (its dist/ must be built)
//
// "ready" is from spawn to the first 200 from /health; "idle RSS" is read 3 s after ready.
// First starts (fresh DATA_DIR: secrets, migrations, bootstrap admin) and warm starts (same DATA_DIR
// again) are separate rows.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFlags } from './lib/app-process.ts'
import { rssMb } from './lib/proc.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)

const BASELINE_DIR = process.env.BASELINE_DIR

// `npm start` is `node <flags> dist/main.js`; the same file without the flags shows what they do.
const targets: Record<string, string[]> = {
  'npm start': [...startFlags(process.cwd()), 'dist/main.js'],
  'dist, no node options': ['dist/main.js'],
  'tsx': ['--import', 'tsx', 'src/main.ts'],
}
if (BASELINE_DIR) targets['npm start@base'] = [...startFlags(BASELINE_DIR), path.join(BASELINE_DIR, 'dist/main.js')]

interface Sample {
  readyMs: number
  idleRssMb: number
}

let nextPort = 3950

async function startOnce(args: string[], dataDir: string): Promise<Sample> {
  const port = nextPort++
  const started = performance.now()
  const child = spawn(process.execPath, args, { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' }, stdio: 'ignore' })
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
      if (ok) break
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`)
      await new Promise((r) => setTimeout(r, 5))
    }
    const readyMs = performance.now() - started
    await new Promise((r) => setTimeout(r, 3000))
    return { readyMs, idleRssMb: rssMb(child.pid!).rss }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const samples: Record<string, { first: Sample[]; warm: Sample[] }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(targets)) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'chatbase-startup-'))
    try {
      const first = await startOnce(args, dataDir)
      const warm = await startOnce(args, dataDir)
      samples[name] ??= { first: [], warm: [] }
      samples[name].first.push(first)
      samples[name].warm.push(warm)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

console.log(`| start | target | ready (ms, median of ${ROUNDS}) | idle RSS (MB) |`)
console.log('| --- | --- | --- | --- |')
for (const kind of ['first', 'warm'] as const) {
  for (const [name, runs] of Object.entries(samples)) {
    const rows = runs[kind]
    console.log(`| ${kind} | ${name} | ${median(rows.map((s) => s.readyMs)).toFixed(0)} | ${median(rows.map((s) => s.idleRssMb)).toFixed(0)} |`)
  }
}
