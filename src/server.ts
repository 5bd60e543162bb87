import 'reflect-metadata'
import { serve, type ServerType } from '@hono/node-server'
import type { ServerOptions } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DependencyContainer } from 'tsyringe'
import { createApp } from './app.ts'
import type { Config } from './config.ts'
import { buildContainer } from './container.ts'
import { OAuthRefreshSweeper } from './features/accounts/oauth-refresh-sweeper.ts'
import { BootstrapAdmin, type BootstrapResult } from './features/auth/bootstrap-admin.use-case.ts'
import { RecoverInterruptedReplies } from './features/chat/recover-interrupted-replies.use-case.ts'
import { ReplyControl } from './features/chat/reply-control.port.ts'
import { serveMetrics, type MetricsServer } from './features/metrics/adapters/metrics-server.ts'
import { UsageRecorder } from './features/usage/usage-recorder.port.ts'
import { resolve } from './shared/di.ts'
import type { Database } from './shared/infra/database/database.ts'
import { migrate } from './shared/infra/database/migrator.ts'
import { openDatabase } from './shared/infra/database/open-database.ts'
import { openRedis, type Redis } from './shared/infra/redis.ts'
import { resolveSecrets } from './shared/infra/local-secrets.ts'
import { createLogger, type Logger } from './shared/logger.ts'

export interface RunningServer {
  url: string
  log: Logger
  container: DependencyContainer
  /** Graceful: stop accepting, let requests finish within the grace period, finalize open streams, close. */
  stop(): Promise<void>
}

/** Opens everything in order (secrets, database, migrations), wires the app and starts listening. */
export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const secrets = resolveSecrets(config, (message) => log.info(message))
  const db = await openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize })
  let container: DependencyContainer | undefined
  let redis: Redis | undefined
  try {
    redis = config.redisUrl ? await openRedis(config.redisUrl) : undefined
    const { applied } = await migrate(db, { log: (message) => log.info(message) })
    log.info({ databaseKind: db.kind, applied: applied.length }, 'database ready')
    container = buildContainer({ config, db, log, secrets, redis })
    reportBootstrap(await container.resolve(BootstrapAdmin).execute(), log)
  } catch (err) {
    redis?.disconnect()
    await db.close()
    throw err
  }
  const sweeper = await startRecovery(container, db, log, config.streamStaleAfterMs)
  // Refreshes OAuth tokens ahead of expiry; container.dispose() at shutdown waits for a running sweep.
  container.resolve(OAuthRefreshSweeper).start()
  const app = createApp(container, config)
  const server = await listen(app.fetch, config)
  const metrics = config.metricsPort === undefined ? undefined : await serveMetrics(container, { port: config.metricsPort, host: config.host, token: config.metricsToken })
  if (metrics) log.info({ url: metrics.url }, `metrics on ${metrics.url}`)
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const ready = container

  let stopping: Promise<void> | undefined
  const stop = () => (stopping ??= shutdown({ server, container: ready, db, redis, log, graceMs: config.shutdownGraceMs, sweeper, metrics }))
  return { url: `http://${host}:${address.port}`, log, container, stop }
}

/**
 * Replies left `streaming` by a killed process become `interrupted`. One SQLite process owns every
 * stream, so all of them are dead at start; replicas sharing PostgreSQL only sweep stale ones.
 */
async function startRecovery(container: DependencyContainer, db: Database, log: Logger, staleAfterMs: number): Promise<NodeJS.Timeout | undefined> {
  const recover = container.resolve(RecoverInterruptedReplies)
  const onlyStale = db.kind === 'postgres'
  const recovered = await recover.execute({ onlyStale, staleAfterMs })
  if (recovered) log.warn({ recovered }, 'finalized replies interrupted by an earlier crash')
  if (!onlyStale) return undefined
  return setInterval(() => {
    recover
      .execute({ onlyStale, staleAfterMs })
      .then((swept) => swept && log.warn({ recovered: swept }, 'finalized replies of a replica that stopped streaming'))
      .catch((err) => log.warn({ err }, 'interrupted-reply sweep failed'))
  }, staleAfterMs).unref()
}

async function shutdown(parts: {
  server: ServerType
  container: DependencyContainer
  db: Database
  redis?: Redis
  log: Logger
  graceMs: number
  sweeper?: NodeJS.Timeout
  metrics?: MetricsServer
}): Promise<void> {
  const { server, container, db, log, graceMs } = parts
  clearInterval(parts.sweeper)
  const started = Date.now()
  const replies = resolve(container, ReplyControl)
  const closed = new Promise<void>((done) => server.close(() => done()))
  const graceOver = new Promise<'grace-over'>((done) => setTimeout(() => done('grace-over'), graceMs).unref())
  const graceIsOver = (await Promise.race([closed, graceOver])) === 'grace-over'
  // Replies nobody follows any more (waiting out their resume grace) would hold the process too.
  if (graceIsOver || replies.runningLocal() > 0) {
    const stopped = replies.stopAllLocal()
    log.info({ stopped }, graceIsOver ? 'grace period over: stopping open streams' : 'stopping replies nobody follows')
    await waitUntil(() => replies.runningLocal() === 0, 5000)
  }
  if (graceIsOver) (server as { closeAllConnections?: () => void }).closeAllConnections?.()
  await resolve(container, UsageRecorder).flush()
  await container.dispose()
  await parts.metrics?.close()
  await parts.redis?.quit()
  await db.close()
  log.info({ shutdownMs: Date.now() - started }, 'stopped')
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

/**
 * Inbound limits on the Node server: the whole request (headers and body) within REQUEST_TIMEOUT_MS,
 * its headers within HEADERS_TIMEOUT_MS (Node answers 408 and closes), idle keep-alive connections
 * closed after KEEP_ALIVE_TIMEOUT_MS. Node checks the first two on an interval (30 s by default),
 * so it is made short enough for the limits to hold. A response (a long stream) is not limited.
 */
export function inboundServerOptions({ requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs }: Config['inbound']): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: headersTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 2))),
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<ServerType> {
  return new Promise((ready, fail) => {
    const server = serve({ fetch, port: config.port, hostname: config.host, serverOptions: inboundServerOptions(config.inbound) }, () => ready(server))
    server.once('error', fail)
  })
}

function reportBootstrap(result: BootstrapResult, log: Logger): void {
  switch (result.outcome) {
    case 'created-from-environment':
      log.info({ username: result.username }, 'created the administrator from ADMIN_USERNAME/ADMIN_PASSWORD')
      break
    case 'created-with-generated-password':
      // Printed once, on purpose: this is how the operator gets in on a fresh install.
      log.warn(
        `First run: created administrator "${result.username}" with the one-time password ${result.oneTimePassword} ` +
          '(it must be changed at first login; set ADMIN_USERNAME/ADMIN_PASSWORD to choose your own)',
      )
      break
    case 'waiting-for-first-registration':
      log.warn('No administrator yet: the first user to register becomes the administrator (FIRST_USER_IS_ADMIN=true)')
      break
    case 'admin-exists':
      break
  }
}
