import { inject, injectable } from 'tsyringe'
import type { ApiKey as ApiKeyRow } from '../../../generated/sqlite/client.ts'
import type { Role } from '../../../shared/actor.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { parseJsonColumn, readLimits } from '../../usage/limits.ts'
import type { KeyMatch, NewPlatformKey, PlatformKey } from '../platform-key.ts'
import type { PlatformKeyRepository, RotatedSecret } from '../platform-key.repository.port.ts'

const OWNER = { select: { id: true, username: true, role: true, disabled: true } } as const

@injectable()
export class PrismaPlatformKeyRepository implements PlatformKeyRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(key: NewPlatformKey): Promise<PlatformKey> {
    const row = await this.db.client.apiKey.create({
      data: { ...key, allowedModels: JSON.stringify(key.allowedModels), limits: JSON.stringify(key.limits) },
    })
    return toKey(row)
  }

  async findById(id: string): Promise<PlatformKey | null> {
    const row = await this.db.client.apiKey.findUnique({ where: { id } })
    return row ? toKey(row) : null
  }

  async findBySecretHash(hash: string): Promise<KeyMatch | null> {
    // Both columns are unique: the OR is two index probes, never a scan.
    const row = await this.db.client.apiKey.findFirst({ where: { OR: [{ hash }, { graceHash: hash }] }, include: { owner: OWNER } })
    if (!row) return null
    const { owner, ...key } = row
    return { key: toKey(key), owner: { ...owner, role: owner.role as Role }, matched: row.hash === hash ? 'current' : 'grace' }
  }

  async list({ ownerId, offset, limit }: { ownerId?: string; offset: number; limit: number }) {
    const where = ownerId ? { ownerId } : {}
    const [rows, total] = await this.db.client.$transaction([
      this.db.client.apiKey.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: offset, take: limit }),
      this.db.client.apiKey.count({ where }),
    ])
    return { items: rows.map(toKey), total }
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const { count } = await this.db.client.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } })
    return count === 1
  }

  async rotate(id: string, next: RotatedSecret): Promise<PlatformKey | null> {
    const current = await this.db.client.apiKey.findUnique({ where: { id }, select: { hash: true } })
    if (!current) return null
    // Compare-and-set on the current hash: of two concurrent rotations exactly one wins.
    const { count } = await this.db.client.apiKey.updateMany({
      where: { id, hash: current.hash, revokedAt: null },
      data: {
        hash: next.hash,
        prefix: next.prefix,
        graceHash: next.graceExpiresAt ? current.hash : null,
        graceExpiresAt: next.graceExpiresAt,
      },
    })
    return count === 1 ? this.findById(id) : null
  }

  async touch(id: string, at: Date, notBefore: Date): Promise<void> {
    await this.db.client.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: notBefore } }] },
      data: { lastUsedAt: at },
    })
  }
}

function toKey(row: ApiKeyRow): PlatformKey {
  return {
    id: row.id,
    ownerId: row.ownerId,
    name: row.name,
    prefix: row.prefix,
    allowedModels: parseStrings(row.allowedModels),
    limits: readLimits(parseJsonColumn(row.limits)),
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    graceExpiresAt: row.graceExpiresAt,
    createdAt: row.createdAt,
  }
}

function parseStrings(json: string): string[] {
  const value = parseJsonColumn(json)
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}
