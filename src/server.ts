import 'reflect-metadata'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApp } from './app.ts'
import type { Config } from './config.ts'
import { buildContainer } from './container.ts'
import { createLogger, type Logger } from './shared/logger.ts'
import { BootstrapAdmin, type BootstrapResult } from './features/auth/bootstrap-admin.use-case.ts'
import { openDatabase } from './shared/infra/database/open-database.ts'
import { migrate } from './shared/infra/database/migrator.ts'
import { resolveSecrets } from './shared/infra/local-secrets.ts'

export interface RunningServer {
  url: string
  log: Logger
  stop(): Promise<void>
}

/** Opens everything in order (secrets, database, migrations), wires the app and starts listening. */
export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const secrets = resolveSecrets(config, (message) => log.info(message))
  const db = await openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize })
  try {
    const { applied } = await migrate(db, { log: (message) => log.info(message) })
    log.info({ databaseKind: db.kind, applied: applied.length }, 'database ready')
  } catch (err) {
    await db.close()
    throw err
  }
  const container = buildContainer({ config, db, log, secrets })
  reportBootstrap(await container.resolve(BootstrapAdmin).execute(), log)
  const app = createApp(container, config)

  const server = await listen(app.fetch, config)
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((done) => {
        server.close(() => done())
        setTimeout(() => {
          ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
          done()
        }, config.shutdownGraceMs).unref()
      })
      await container.dispose()
      await db.close()
    })())
  return { url, log, stop }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<ServerType> {
  return new Promise((ready, fail) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, () => ready(server))
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
