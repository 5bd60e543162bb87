import { inject, injectable } from 'tsyringe'
import type { ModelConfig as ModelConfigRow } from '../../../generated/sqlite/client.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { isRecordMissing } from '../../../shared/infra/database/prisma-errors.ts'
import type {
  DefaultParams,
  ModelConfigChanges,
  NewModelConfig,
  ProviderKind,
  StoredCredential,
  StoredModelConfig,
  Visibility,
} from '../model-config.ts'
import { scopeOf } from '../model-config.ts'
import type { ModelConfigRepository } from '../model-config.repository.port.ts'
import { ModelNotFound } from '../models.errors.ts'

const ORDER = [{ createdAt: 'asc' as const }, { id: 'asc' as const }]

@injectable()
export class PrismaModelConfigRepository implements ModelConfigRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(config: NewModelConfig): Promise<StoredModelConfig> {
    const { credential, defaultParams, allowedUserIds, ...fields } = config
    const row = await this.db.client.modelConfig.create({
      data: { ...fields, defaultParams: JSON.stringify(defaultParams), allowedUserIds: JSON.stringify(allowedUserIds), ...credentialColumns(credential) },
    })
    return toStored(row)
  }

  async findById(id: string): Promise<StoredModelConfig | null> {
    const row = await this.db.client.modelConfig.findUnique({ where: { id } })
    return row ? toStored(row) : null
  }

  async listForUser(userId: string): Promise<StoredModelConfig[]> {
    const rows = await this.db.client.modelConfig.findMany({ where: { OR: [{ ownerId: userId }, { ownerId: null }] }, orderBy: ORDER })
    return rows.map(toStored)
  }

  async update(id: string, changes: ModelConfigChanges): Promise<StoredModelConfig> {
    const { defaultParams, allowedUserIds, ...fields } = changes
    return this.write(id, {
      ...fields,
      ...(defaultParams === undefined ? {} : { defaultParams: JSON.stringify(defaultParams) }),
      ...(allowedUserIds === undefined ? {} : { allowedUserIds: JSON.stringify(allowedUserIds) }),
    })
  }

  async delete(id: string): Promise<void> {
    try {
      await this.db.client.modelConfig.delete({ where: { id } })
    } catch (err) {
      if (isRecordMissing(err)) throw new ModelNotFound()
      throw err
    }
  }

  replaceCredential(id: string, credential: StoredCredential | null): Promise<StoredModelConfig> {
    // One UPDATE of the three columns: readers see the old key or the new one, never a mix.
    return this.write(id, credentialColumns(credential))
  }

  private async write(id: string, data: Record<string, unknown>): Promise<StoredModelConfig> {
    try {
      return toStored(await this.db.client.modelConfig.update({ where: { id }, data }))
    } catch (err) {
      if (isRecordMissing(err)) throw new ModelNotFound()
      throw err
    }
  }
}

function credentialColumns(credential: StoredCredential | null) {
  return {
    credentialCiphertext: credential?.ciphertext ?? null,
    credentialKeyId: credential?.keyId ?? null,
    credentialHint: credential?.hint ?? null,
  }
}

function toStored(row: ModelConfigRow): StoredModelConfig {
  return {
    id: row.id,
    ownerId: row.ownerId,
    scope: scopeOf(row.ownerId),
    providerKind: row.providerKind as ProviderKind,
    baseUrl: row.baseUrl,
    modelId: row.modelId,
    displayName: row.displayName,
    alias: row.alias,
    contextWindow: row.contextWindow,
    maxOutputTokens: row.maxOutputTokens,
    defaultParams: parseJson<DefaultParams>(row.defaultParams, {}, (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
    enabled: row.enabled,
    visibility: row.visibility as Visibility,
    allowedUserIds: parseJson<string[]>(row.allowedUserIds, [], (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')),
    credential:
      row.credentialCiphertext && row.credentialKeyId
        ? { ciphertext: row.credentialCiphertext, keyId: row.credentialKeyId, hint: row.credentialHint ?? '' }
        : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/** A damaged JSON column falls back to the safe default (no params; nobody on the list). */
function parseJson<T>(json: string, fallback: T, valid: (v: unknown) => boolean): T {
  try {
    const value: unknown = JSON.parse(json)
    return valid(value) ? (value as T) : fallback
  } catch {
    return fallback
  }
}
