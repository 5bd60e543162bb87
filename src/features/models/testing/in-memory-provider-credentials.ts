import type {
  NewProviderCredential,
  ProviderCredentialChanges,
  ProviderCredentialRepository,
  StoredProviderCredential,
} from '../provider-credential.repository.port.ts'

const copy = <T>(value: T): T => structuredClone(value)

/** ProviderCredentialRepository over a Map, for use-case tests. */
export class InMemoryProviderCredentials implements ProviderCredentialRepository {
  readonly rows = new Map<string, StoredProviderCredential>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  async listForModel(modelConfigId: string): Promise<StoredProviderCredential[]> {
    return [...this.rows.values()]
      .filter((c) => c.modelConfigId === modelConfigId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(copy)
  }

  async create(credential: NewProviderCredential): Promise<StoredProviderCredential> {
    if (this.rows.has(credential.id)) throw new Error(`duplicate credential id ${credential.id}`)
    const stored: StoredProviderCredential = { ...copy(credential), cooldownUntil: null, lastStatus: null, createdAt: this.now() }
    this.rows.set(stored.id, stored)
    return copy(stored)
  }

  async update(modelConfigId: string, id: string, changes: ProviderCredentialChanges): Promise<StoredProviderCredential | null> {
    const current = this.rows.get(id)
    if (!current || current.modelConfigId !== modelConfigId) return null
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined))
    const next = { ...current, ...defined }
    this.rows.set(id, next)
    return copy(next)
  }

  async delete(modelConfigId: string, id: string): Promise<StoredProviderCredential | null> {
    const current = this.rows.get(id)
    if (!current || current.modelConfigId !== modelConfigId) return null
    this.rows.delete(id)
    return copy(current)
  }

  async recordCooldown(id: string, cooldownUntil: Date, lastStatus: number): Promise<void> {
    const current = this.rows.get(id)
    if (!current || (current.cooldownUntil && current.cooldownUntil >= cooldownUntil)) return
    this.rows.set(id, { ...current, cooldownUntil, lastStatus })
  }
}
