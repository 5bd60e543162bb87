import 'reflect-metadata'
import { ConfigError, loadConfig } from './config.ts'
import { createLogger } from './shared/logger.ts'
import { startServer } from './server.ts'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  const log = createLogger(config.logLevel)
  const server = await startServer(config, log)
  log.info({ url: server.url }, `chatbase listening on ${server.url}`)

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down')
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err) => {
  console.error('chatbase failed to start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
