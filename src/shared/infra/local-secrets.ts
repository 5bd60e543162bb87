import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { parseMasterKey, type Config } from '../../config.ts'

export interface ResolvedSecrets {
  jwtSecret: string
  masterKey: Buffer
  previousMasterKeys: Buffer[]
  apiKeyPepper: string
}

const SECRETS_FILE = 'secrets.json'
const storedSchema = z.object({ jwtSecret: z.string().min(32), masterKey: z.string(), apiKeyPepper: z.string().min(32) })

/**
 * Secrets come from the environment. On a local install without them, they are generated once into
 * DATA_DIR/secrets.json (mode 0600, tightened back to it when found looser) and reused; config.ts
 * already refused production without them.
 */
export function resolveSecrets(config: Config, log: (message: string) => void): ResolvedSecrets {
  const { jwtSecret, masterKey, previousMasterKeys, apiKeyPepper } = config.secrets
  if (jwtSecret && masterKey && apiKeyPepper) return { jwtSecret, masterKey, previousMasterKeys, apiKeyPepper }

  const stored = loadOrCreate(config.dataDir, log)
  return {
    jwtSecret: jwtSecret ?? stored.jwtSecret,
    masterKey: masterKey ?? stored.masterKey,
    previousMasterKeys,
    apiKeyPepper: apiKeyPepper ?? stored.apiKeyPepper,
  }
}

function loadOrCreate(dataDir: string, log: (message: string) => void) {
  const file = path.join(dataDir, SECRETS_FILE)
  if (existsSync(file)) {
    // A copy restored from a backup (cp, tar without -p) is often 0644: the master key must not stay readable by others.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
    const parsed = storedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    const key = parsed.success ? parseMasterKey(parsed.data.masterKey) : undefined
    if (!parsed.success || !key) throw new Error(`${file} is damaged; restore it from a backup (stored provider keys depend on it)`)
    log(`Using generated secrets from ${file} (set JWT_SECRET, MASTER_KEY and API_KEY_PEPPER to manage them yourself)`)
    return { ...parsed.data, masterKey: key }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const created = {
    jwtSecret: randomBytes(48).toString('base64url'),
    masterKey: randomBytes(32).toString('base64'),
    apiKeyPepper: randomBytes(48).toString('base64url'),
  }
  writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  log(`Generated JWT secret, master key and API key pepper into ${file} (mode 0600); back this file up with the database`)
  return { ...created, masterKey: Buffer.from(created.masterKey, 'base64') }
}
