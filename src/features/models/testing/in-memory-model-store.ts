import type { Sealed } from '../../../shared/crypto/secret-box.port.ts'
import type { ModelConfigChanges, NewModelConfig, StoredCredential, StoredModelConfig } from '../model-config.ts'
import { scopeOf } from '../model-config.ts'
import type { ModelConfigRepository } from '../model-config.repository.port.ts'
import { ModelNotFound } from '../models.errors.ts'
import { compareRefs, type Reseal, type SealedSecretStore, type SecretQuery, type StoredSecret } from '../sealed-secret.store.port.ts'

export interface PoolCredential {
  id: string
  modelConfigId: string
  ciphertext: string
  keyId: string
  hint: string
}

/** The sealed columns of an upstream account row (the accounts slice owns the rest). */
export interface AccountSecretColumns {
  id: string
  secret: Sealed
  proxy: Sealed | null
}

const copy = <T>(value: T): T => structuredClone(value)

/** Both ports of the models slice over one in-memory table, like the two tables of the database. */
export class InMemoryModelStore implements ModelConfigRepository, SealedSecretStore {
  readonly configs = new Map<string, StoredModelConfig>()
  readonly poolCredentials = new Map<string, PoolCredential>()
  readonly accounts = new Map<string, AccountSecretColumns>()
  /** Called before each reseal is applied: lets tests change a value "concurrently". */
  beforeReseal?: (item: Reseal) => void

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(config: NewModelConfig): Promise<StoredModelConfig> {
    if (this.configs.has(config.id)) throw new Error(`duplicate model config id ${config.id}`)
    const at = this.now()
    const stored: StoredModelConfig = { ...copy(config), scope: scopeOf(config.ownerId), createdAt: at, updatedAt: at }
    this.configs.set(config.id, stored)
    return copy(stored)
  }

  async findById(id: string): Promise<StoredModelConfig | null> {
    const found = this.configs.get(id)
    return found ? copy(found) : null
  }

  async listForUser(userId: string): Promise<StoredModelConfig[]> {
    return [...this.configs.values()]
      .filter((c) => c.ownerId === null || c.ownerId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(copy)
  }

  async update(id: string, changes: ModelConfigChanges): Promise<StoredModelConfig> {
    const current = this.configs.get(id)
    if (!current) throw new ModelNotFound()
    const defined = Object.fromEntries(Object.entries(copy(changes)).filter(([, v]) => v !== undefined))
    const next: StoredModelConfig = { ...current, ...defined, updatedAt: this.now() }
    this.configs.set(id, next)
    return copy(next)
  }

  async delete(id: string): Promise<void> {
    if (!this.configs.delete(id)) throw new ModelNotFound()
    for (const [credId, cred] of this.poolCredentials) if (cred.modelConfigId === id) this.poolCredentials.delete(credId)
  }

  async replaceCredential(id: string, credential: StoredCredential | null): Promise<StoredModelConfig> {
    const current = this.configs.get(id)
    if (!current) throw new ModelNotFound()
    const next = { ...current, credential: credential ? { ...credential } : null, updatedAt: this.now() }
    this.configs.set(id, next)
    return copy(next)
  }

  /** Test seam: a pooled credential of a system model (no slice manages them yet). */
  addPoolCredential(credential: PoolCredential): void {
    if (!this.configs.has(credential.modelConfigId)) throw new Error(`no model config ${credential.modelConfigId}`)
    this.poolCredentials.set(credential.id, { ...credential })
  }

  /** Test seam: the sealed secret and proxy URL of an upstream account (another slice writes them). */
  addAccount(account: AccountSecretColumns): void {
    this.accounts.set(account.id, copy(account))
  }

  async list({ excludeKeyId, after, limit }: SecretQuery): Promise<StoredSecret[]> {
    return this.allSecrets()
      .filter((s) => (excludeKeyId === undefined || s.keyId !== excludeKeyId) && (!after || compareRefs(s, after) > 0))
      .sort(compareRefs)
      .slice(0, limit)
  }

  async resealMany(items: Reseal[]): Promise<boolean[]> {
    return items.map((item) => {
      this.beforeReseal?.(item)
      const { ref, expected, next } = item
      const sealed = { ciphertext: next.ciphertext, keyId: next.keyId }
      switch (ref.kind) {
        case 'model-config': {
          const config = this.configs.get(ref.id)
          if (!config?.credential || config.credential.ciphertext !== expected) return false
          this.configs.set(ref.id, { ...config, credential: { ...config.credential, ...sealed } })
          return true
        }
        case 'provider-credential': {
          const cred = this.poolCredentials.get(ref.id)
          if (!cred || cred.ciphertext !== expected) return false
          this.poolCredentials.set(ref.id, { ...cred, ...sealed })
          return true
        }
        case 'upstream-account': {
          const account = this.accounts.get(ref.id)
          if (!account || account.secret.ciphertext !== expected) return false
          this.accounts.set(ref.id, { ...account, secret: sealed })
          return true
        }
        case 'upstream-account-proxy': {
          const account = this.accounts.get(ref.id)
          if (!account?.proxy || account.proxy.ciphertext !== expected) return false
          this.accounts.set(ref.id, { ...account, proxy: sealed })
          return true
        }
      }
    })
  }

  async countByKeyId(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {}
    for (const s of this.allSecrets()) counts[s.keyId] = (counts[s.keyId] ?? 0) + 1
    return counts
  }

  private allSecrets(): StoredSecret[] {
    const configs = [...this.configs.values()].flatMap((c) =>
      c.credential ? [{ kind: 'model-config' as const, id: c.id, ciphertext: c.credential.ciphertext, keyId: c.credential.keyId }] : [],
    )
    const pooled = [...this.poolCredentials.values()].map((c) => ({ kind: 'provider-credential' as const, id: c.id, ciphertext: c.ciphertext, keyId: c.keyId }))
    const accounts = [...this.accounts.values()].map((a) => ({ kind: 'upstream-account' as const, id: a.id, ...a.secret }))
    const proxies = [...this.accounts.values()].flatMap((a) => (a.proxy ? [{ kind: 'upstream-account-proxy' as const, id: a.id, ...a.proxy }] : []))
    return [...configs, ...pooled, ...accounts, ...proxies]
  }
}
