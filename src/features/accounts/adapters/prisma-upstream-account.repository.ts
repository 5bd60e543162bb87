import { inject, injectable } from 'tsyringe'
import type { UpstreamAccount as UpstreamAccountRow } from '../../../generated/sqlite/client.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { isRecordMissing } from '../../../shared/infra/database/prisma-errors.ts'
import type { ProviderKind } from '../../providers/ai-provider.port.ts'
import type { AccountFilter, UpstreamAccountRepository } from '../upstream-account.repository.port.ts'
import type { AccountAuthType, AccountChanges, AccountStatus, NewAccount, RefreshedTokens, SealedValue, StoredAccount } from '../upstream-account.ts'

const ORDER = [{ createdAt: 'asc' as const }, { id: 'asc' as const }]
/** Statuses listExpiring leaves out: refreshing them is pointless until an admin acts. */
const NOT_REFRESHED: AccountStatus[] = ['disabled', 'needs_reauth']

@injectable()
export class PrismaUpstreamAccountRepository implements UpstreamAccountRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(account: NewAccount): Promise<StoredAccount> {
    return toStored(await this.db.client.upstreamAccount.create({ data: newRow(account) }))
  }

  async createMany(accounts: NewAccount[]): Promise<StoredAccount[]> {
    if (accounts.length === 0) return []
    // One batch transaction: a failing row (a duplicate id) rolls back the whole import.
    const rows = await this.db.client.$transaction(accounts.map((account) => this.db.client.upstreamAccount.create({ data: newRow(account) })))
    return rows.map(toStored)
  }

  async findById(id: string): Promise<StoredAccount | null> {
    const row = await this.db.client.upstreamAccount.findUnique({ where: { id } })
    return row ? toStored(row) : null
  }

  async list(filter: AccountFilter = {}): Promise<StoredAccount[]> {
    const where = {
      ...(filter.providerKind === undefined ? {} : { providerKind: filter.providerKind }),
      ...(filter.status === undefined ? {} : { status: filter.status }),
    }
    const rows = await this.db.client.upstreamAccount.findMany({ where, orderBy: ORDER })
    return rows.map(toStored)
  }

  async update(id: string, changes: AccountChanges): Promise<StoredAccount | null> {
    const { secret, proxy, ...fields } = changes
    const data = {
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      ...(secret === undefined ? {} : { secretCiphertext: secret.ciphertext, secretKeyId: secret.keyId }),
      ...(proxy === undefined ? {} : proxyColumns(proxy)),
    }
    try {
      return toStored(await this.db.client.upstreamAccount.update({ where: { id }, data }))
    } catch (err) {
      if (isRecordMissing(err)) return null
      throw err
    }
  }

  async delete(id: string): Promise<StoredAccount | null> {
    try {
      // The ModelAccount rows go with it (ON DELETE CASCADE).
      return toStored(await this.db.client.upstreamAccount.delete({ where: { id } }))
    } catch (err) {
      if (isRecordMissing(err)) return null
      throw err
    }
  }

  async storeRefreshedTokens(id: string, tokens: RefreshedTokens): Promise<boolean> {
    // Compare-and-set in one statement: a writer holding an older fence matches no row.
    const { count } = await this.db.client.upstreamAccount.updateMany({
      where: { id, refreshFence: { lt: BigInt(tokens.fence) } },
      data: {
        secretCiphertext: tokens.secret.ciphertext,
        secretKeyId: tokens.secret.keyId,
        hint: tokens.hint,
        tokenExpiresAt: tokens.tokenExpiresAt,
        scopes: tokens.scopes,
        refreshFence: BigInt(tokens.fence),
        lastRefreshedAt: tokens.refreshedAt,
      },
    })
    return count === 1
  }

  async listExpiring(before: Date): Promise<StoredAccount[]> {
    const rows = await this.db.client.upstreamAccount.findMany({
      // `lt` never matches a null expiry (unknown or never).
      where: { authType: 'oauth', status: { notIn: NOT_REFRESHED }, tokenExpiresAt: { lt: before } },
      orderBy: ORDER,
    })
    return rows.map(toStored)
  }

  async accountsForModel(modelConfigId: string): Promise<StoredAccount[]> {
    const rows = await this.db.client.upstreamAccount.findMany({ where: { models: { some: { modelConfigId } } }, orderBy: ORDER })
    return rows.map(toStored)
  }

  async modelsOf(accountId: string): Promise<string[]> {
    const rows = await this.db.client.modelAccount.findMany({ where: { accountId }, select: { modelConfigId: true }, orderBy: { modelConfigId: 'asc' } })
    return rows.map((row) => row.modelConfigId)
  }

  async replacePool(modelConfigId: string, accountIds: readonly string[]): Promise<void> {
    const unique = [...new Set(accountIds)]
    await this.db.client.$transaction(async (tx) => {
      // Locks the model's row first (PostgreSQL): two replacements of one pool run one after the
      // other instead of both deleting and then colliding on insert. SQLite serializes writers anyway.
      await tx.$executeRaw`UPDATE "ModelConfig" SET "updatedAt" = "updatedAt" WHERE "id" = ${modelConfigId}`
      await tx.modelAccount.deleteMany({ where: { modelConfigId } })
      if (unique.length > 0) await tx.modelAccount.createMany({ data: unique.map((accountId) => ({ modelConfigId, accountId })) })
    })
  }
}

function newRow(account: NewAccount) {
  const { secret, proxy, ...fields } = account
  // Only the columns: a caller's extra properties (a whole StoredAccount) never reach the query.
  return {
    id: fields.id,
    name: fields.name,
    providerKind: fields.providerKind,
    authType: fields.authType,
    baseUrl: fields.baseUrl,
    proxyDisplay: fields.proxyDisplay,
    priority: fields.priority,
    weight: fields.weight,
    status: fields.status,
    statusReason: fields.statusReason,
    statusUntil: fields.statusUntil,
    hint: fields.hint,
    tokenExpiresAt: fields.tokenExpiresAt,
    scopes: fields.scopes,
    projectId: fields.projectId,
    secretCiphertext: secret.ciphertext,
    secretKeyId: secret.keyId,
    ...proxyColumns(proxy),
  }
}

function proxyColumns(proxy: SealedValue | null) {
  return { proxyCiphertext: proxy?.ciphertext ?? null, proxyKeyId: proxy?.keyId ?? null }
}

function toStored(row: UpstreamAccountRow): StoredAccount {
  return {
    id: row.id,
    name: row.name,
    providerKind: row.providerKind as ProviderKind,
    authType: row.authType as AccountAuthType,
    baseUrl: row.baseUrl,
    proxyDisplay: row.proxyDisplay,
    priority: row.priority,
    weight: row.weight,
    status: row.status as AccountStatus,
    statusReason: row.statusReason,
    statusUntil: row.statusUntil,
    hint: row.hint,
    tokenExpiresAt: row.tokenExpiresAt,
    scopes: row.scopes,
    projectId: row.projectId,
    lastRefreshedAt: row.lastRefreshedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    secret: { ciphertext: row.secretCiphertext, keyId: row.secretKeyId },
    proxy: row.proxyCiphertext && row.proxyKeyId ? { ciphertext: row.proxyCiphertext, keyId: row.proxyKeyId } : null,
    refreshFence: Number(row.refreshFence),
  }
}
