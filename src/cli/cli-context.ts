import type { DependencyContainer } from 'tsyringe'
import { destination } from 'pino'
import type { Config } from '../config.ts'
import { buildContainer } from '../container.ts'
import type { Actor } from '../shared/actor.ts'
import { migrate } from '../shared/infra/database/migrator.ts'
import { openDatabase } from '../shared/infra/database/open-database.ts'
import { resolveSecrets } from '../shared/infra/local-secrets.ts'
import { openRedis } from '../shared/infra/redis.ts'
import { createLogger } from '../shared/logger.ts'

/** Who the use cases see when the operator runs a command: an administrator that is no user row. */
export const CLI_ACTOR: Actor = { userId: 'cli', username: 'cli', role: 'ADMIN' }

export interface CliContext {
  config: Config
  container: DependencyContainer
  actor: Actor
  close(): Promise<void>
}

/**
 * Opens what the server opens (secrets, database with its migrations, Redis when configured) and
 * builds the same container, so commands run the same use cases as the HTTP API. Logs go to stderr,
 * at warn unless LOG_LEVEL asks for more, so stdout carries only the command's output.
 */
export async function openCliContext(config: Config): Promise<CliContext> {
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, destination(2))
  // Say so when secrets were just generated (a fresh DATA_DIR); reusing them is routine.
  const secrets = resolveSecrets(config, (message) => (message.startsWith('Generated') ? log.warn(message) : log.debug(message)))
  const db = await openDatabase(config.databaseUrl, { poolSize: 2 })
  try {
    await migrate(db, { log: (message) => log.info(message) })
    const redis = config.redisUrl ? await openRedis(config.redisUrl) : undefined
    const container = buildContainer({ config, db, log, secrets, redis })
    return {
      config,
      container,
      actor: CLI_ACTOR,
      async close() {
        await container.dispose()
        await redis?.quit()
        await db.close()
      },
    }
  } catch (err) {
    await db.close()
    throw err
  }
}
