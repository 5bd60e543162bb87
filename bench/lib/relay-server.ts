// The real app in its own process (SQLite in a temp dir, an admin from the environment), wired by
// buildContainer/createApp as in production. Prints {url} when it listens.
// REDIS_URL: as in production, limits and cache invalidation go through Redis (its user, model and key ids are fresh on every run).
// PROFILE_DIR: each SIGUSR2 starts or stops a CPU profile written there (see docs/benchmarks.md).
// MEMORY_LOG_MS: prints memoryUsage() to stderr at that interval.
import 'reflect-metadata'
import { serve } from '@hono/node-server'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { buildContainer } from '../../src/container.ts'
import { BootstrapAdmin } from '../../src/features/auth/bootstrap-admin.use-case.ts'
import { migrate } from '../../src/shared/infra/database/migrator.ts'
import { openDatabase } from '../../src/shared/infra/database/open-database.ts'
import { resolveSecrets } from '../../src/shared/infra/local-secrets.ts'
import { createLogger } from '../../src/shared/logger.ts'
import { openRedis } from '../../src/shared/infra/redis.ts'

const BENCH_ADMIN = { username: 'benchadmin', password: 'bench admin password 1' }

const dataDir = mkdtempSync(path.join(tmpdir(), 'chatbase-bench-'))
const config = loadConfig({
  NODE_ENV: 'production',
  DATA_DIR: dataDir,
  DATABASE_URL: `file:${path.join(dataDir, 'bench.db')}`,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  ADMIN_USERNAME: BENCH_ADMIN.username,
  ADMIN_PASSWORD: BENCH_ADMIN.password,
  JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
  MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
  API_KEY_PEPPER: 'bench-pepper-that-is-long-enough-0123456789',
  BCRYPT_COST: '4',
})
const log = createLogger(config.logLevel)
const secrets = resolveSecrets(config, () => {})
const db = await openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize })
await migrate(db)
const redis = process.env.REDIS_URL ? await openRedis(process.env.REDIS_URL) : undefined
const container = buildContainer({ config, db, log, secrets, redis })
await container.resolve(BootstrapAdmin).execute()
const app = createApp(container, config)

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
})
process.once('SIGTERM', () => {
  rmSync(dataDir, { recursive: true, force: true }) // a benchmark leaves nothing behind
  process.exit(0)
})

// PROFILE_DIR set: each SIGUSR2 starts or stops (and writes) a CPU profile of just that window.
if (process.env.PROFILE_DIR) {
  const { Session } = await import('node:inspector/promises')
  const { writeFileSync } = await import('node:fs')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  let running = false
  process.on('SIGUSR2', async () => {
    if (!running) await session.post('Profiler.start')
    else writeFileSync(path.join(process.env.PROFILE_DIR!, `relay-${Date.now()}.cpuprofile`), JSON.stringify((await session.post('Profiler.stop')).profile))
    running = !running
  })
}

// MEMORY_LOG_MS set: prints process.memoryUsage() (MB) to stderr that often, to see where RSS goes.
if (process.env.MEMORY_LOG_MS) {
  const mb = (n: number) => Math.round(n / 1048576)
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage()
    console.error(JSON.stringify({ rss: mb(rss), heapTotal: mb(heapTotal), heapUsed: mb(heapUsed), external: mb(external), arrayBuffers: mb(arrayBuffers) }))
  }, Number(process.env.MEMORY_LOG_MS)).unref()
}
