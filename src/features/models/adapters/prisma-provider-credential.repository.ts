import { inject, injectable } from 'tsyringe'
import type { ProviderCredential as ProviderCredentialRow } from '../../../generated/sqlite/client.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import type {
  NewProviderCredential,
  ProviderCredentialChanges,
  ProviderCredentialRepository,
  StoredProviderCredential,
} from '../provider-credential.repository.port.ts'

const ORDER = [{ createdAt: 'asc' as const }, { id: 'asc' as const }]

@injectable()
export class PrismaProviderCredentialRepository implements ProviderCredentialRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async listForModel(modelConfigId: string): Promise<StoredProviderCredential[]> {
    const rows = await this.db.client.providerCredential.findMany({ where: { modelConfigId }, orderBy: ORDER })
    return rows.map(toStored)
  }

  async create(credential: NewProviderCredential): Promise<StoredProviderCredential> {
    return toStored(await this.db.client.providerCredential.create({ data: credential }))
  }

  async update(modelConfigId: string, id: string, changes: ProviderCredentialChanges): Promise<StoredProviderCredential | null> {
    // Scoped to the model: a credential id of another model matches nothing.
    const where = { id, modelConfigId }
    const data = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined))
    // An empty update counts no rows on some databases: then it is only a read.
    if (Object.keys(data).length > 0 && (await this.db.client.providerCredential.updateMany({ where, data })).count === 0) return null
    const row = await this.db.client.providerCredential.findFirst({ where })
    return row ? toStored(row) : null
  }

  async delete(modelConfigId: string, id: string): Promise<StoredProviderCredential | null> {
    const row = await this.db.client.providerCredential.findFirst({ where: { id, modelConfigId } })
    if (!row) return null
    const { count } = await this.db.client.providerCredential.deleteMany({ where: { id, modelConfigId } })
    return count === 0 ? null : toStored(row)
  }

  async recordCooldown(id: string, cooldownUntil: Date, lastStatus: number): Promise<void> {
    // Never shortens a persisted cooldown, like CredentialHealth; a deleted credential matches nothing.
    await this.db.client.providerCredential.updateMany({
      where: { id, OR: [{ cooldownUntil: null }, { cooldownUntil: { lt: cooldownUntil } }] },
      data: { cooldownUntil, lastStatus },
    })
  }
}

function toStored(row: ProviderCredentialRow): StoredProviderCredential {
  return {
    id: row.id,
    modelConfigId: row.modelConfigId,
    label: row.label,
    hint: row.hint,
    weight: row.weight,
    enabled: row.enabled,
    cooldownUntil: row.cooldownUntil,
    lastStatus: row.lastStatus,
    createdAt: row.createdAt,
    ciphertext: row.ciphertext,
    keyId: row.keyId,
  }
}
