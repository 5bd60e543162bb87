// npm run keys:rotate [-- --batch-size N] [--dry-run]
//
// Re-encrypts every stored provider key under the current MASTER_KEY. Procedure (see the report):
//   1. give every instance the new keyring: MASTER_KEY=<new>, PREVIOUS_MASTER_KEYS=<old>[,...]
//   2. run this command (the service keeps serving; it is idempotent: run it again if interrupted)
//   3. once the report says a previous key can be removed, drop it from PREVIOUS_MASTER_KEYS.
import 'reflect-metadata'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.ts'
import { buildContainer } from '../src/container.ts'
import { DEFAULT_BATCH_SIZE, RotateMasterKey, type RotateMasterKeyResult, type RotationProgress } from '../src/features/models/rotate-master-key.use-case.ts'
import { keyIdOf } from '../src/shared/crypto/aes-gcm-secret-box.ts'
import { openDatabase } from '../src/shared/infra/database/open-database.ts'
import { resolveSecrets } from '../src/shared/infra/local-secrets.ts'
import { createLogger } from '../src/shared/logger.ts'

function parseOptions() {
  const { values } = parseArgs({
    options: { 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  })
  if (values.help) {
    console.log('Usage: npm run keys:rotate -- [--batch-size N] [--dry-run]')
    process.exit(0)
  }
  const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size'])
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new ConfigError(['--batch-size: an integer from 1 to 5000'])
  return { batchSize, dryRun: values['dry-run'] }
}

const progressLine = (p: RotationProgress) => {
  const done = p.reencrypted + p.skipped + p.failed
  const pct = p.total ? Math.floor((done * 100) / p.total) : 100
  return `  ${String(done).padStart(String(p.total).length)}/${p.total} (${pct}%)  re-encrypted ${p.reencrypted}, skipped ${p.skipped}, failed ${p.failed}`
}

function printReport(r: RotateMasterKeyResult, previousKeyIds: string[], ms: number): void {
  console.log(`\n${r.dryRun ? 'Dry run (nothing changed)' : `Done in ${(ms / 1000).toFixed(1)} s`}: current key id ${r.currentKeyId}`)
  console.log(`  re-encrypted ${r.reencrypted}, skipped (changed meanwhile) ${r.skipped}, failed ${r.failed}`)
  for (const f of r.failures) console.log(`  FAILED ${f.kind} ${f.id}: ${f.reason}`)
  const remaining = Object.entries(r.remainingByKeyId)
  console.log(remaining.length ? `  still under other keys: ${remaining.map(([id, n]) => `${id}: ${n}`).join(', ')}` : '  every stored secret is under the current key')
  previousKeyIds.forEach((id, i) => {
    const where = `PREVIOUS_MASTER_KEYS entry ${i + 1} (key id ${id})`
    console.log(r.canRemove.includes(id) ? `  ${where}: no ciphertext references it; it can be removed` : `  ${where}: still referenced by ${r.remainingByKeyId[id] ?? 0} secret(s); keep it`)
  })
  if (r.unknownKeyIds.length) console.log(`  key ids not in the keyring (those secrets cannot be read): ${r.unknownKeyIds.join(', ')}`)
  if (!r.dryRun && r.skipped) console.log('  Secrets changed during the run were left alone; run the command again to cover them.')
}

async function main(): Promise<number> {
  const options = parseOptions()
  const config = loadConfig()
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  const secrets = resolveSecrets(config, (message) => console.error(message))
  const db = await openDatabase(config.databaseUrl, { poolSize: 2 })
  const container = buildContainer({ config, db, log, secrets })
  try {
    const rotate = container.resolve(RotateMasterKey)
    console.log(`Master-key rotation on ${db.kind}, batches of ${options.batchSize}${options.dryRun ? ' (dry run)' : ''}`)
    const started = Date.now()
    const result = await rotate.execute({ actor: null, ...options, onProgress: (p) => console.log(progressLine(p)) })
    printReport(result, secrets.previousMasterKeys.map(keyIdOf), Date.now() - started)
    return result.failed ? 2 : 0
  } finally {
    await container.dispose()
    await db.close()
  }
}

/** Prisma's "table does not exist": a database the server never started on. */
const isUnmigrated = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2021'

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78)
    }
    console.error(
      isUnmigrated(error)
        ? 'keys:rotate failed: the database has no schema yet. Start the server once (it applies the migrations), then run this again.'
        : `keys:rotate failed: ${error instanceof Error ? error.message : String(error)}`,
    )
    process.exit(1)
  },
)
