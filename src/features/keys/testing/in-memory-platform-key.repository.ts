import type { KeyMatch, KeyOwner, NewPlatformKey, PlatformKey } from '../platform-key.ts'
import type { PlatformKeyRepository, RotatedSecret } from '../platform-key.repository.port.ts'

interface Stored extends PlatformKey {
  hash: string
  graceHash: string | null
}

const copy = ({ hash: _h, graceHash: _g, ...key }: Stored): PlatformKey =>
  structuredClone({ ...key, allowedModels: [...key.allowedModels], limits: { ...key.limits } })

/** The fake behind use-case tests; owners are registered with addOwner (the database has users). */
export class InMemoryPlatformKeyRepository implements PlatformKeyRepository {
  readonly owners = new Map<string, KeyOwner>()
  private readonly keys = new Map<string, Stored>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  addOwner(owner: Partial<KeyOwner> & { id: string }): KeyOwner {
    const full: KeyOwner = { username: owner.id, role: 'USER', disabled: false, ...owner }
    this.owners.set(full.id, full)
    return full
  }

  async create(key: NewPlatformKey): Promise<PlatformKey> {
    if (!this.owners.has(key.ownerId)) throw new Error(`no owner ${key.ownerId}`)
    if ([...this.keys.values()].some((k) => k.hash === key.hash || k.graceHash === key.hash)) throw new Error('duplicate hash')
    const stored: Stored = { ...structuredClone(key), graceHash: null, graceExpiresAt: null, revokedAt: null, lastUsedAt: null, createdAt: this.now() }
    this.keys.set(key.id, stored)
    return copy(stored)
  }

  async findById(id: string): Promise<PlatformKey | null> {
    const key = this.keys.get(id)
    return key ? copy(key) : null
  }

  async findBySecretHash(hash: string): Promise<KeyMatch | null> {
    const key = [...this.keys.values()].find((k) => k.hash === hash || k.graceHash === hash)
    const owner = key && this.owners.get(key.ownerId)
    if (!key || !owner) return null
    return { key: copy(key), owner: { ...owner }, matched: key.hash === hash ? 'current' : 'grace' }
  }

  async list({ ownerId, offset, limit }: { ownerId?: string; offset: number; limit: number }) {
    const matching = [...this.keys.values()]
      .filter((k) => !ownerId || k.ownerId === ownerId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    return { items: matching.slice(offset, offset + limit).map(copy), total: matching.length }
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const key = this.keys.get(id)
    if (!key || key.revokedAt) return false
    key.revokedAt = at
    return true
  }

  async rotate(id: string, next: RotatedSecret): Promise<PlatformKey | null> {
    const key = this.keys.get(id)
    if (!key || key.revokedAt) return null
    key.graceHash = next.graceExpiresAt ? key.hash : null
    key.graceExpiresAt = next.graceExpiresAt
    key.hash = next.hash
    key.prefix = next.prefix
    return copy(key)
  }

  async touch(id: string, at: Date, notBefore: Date): Promise<void> {
    const key = this.keys.get(id)
    if (key && (!key.lastUsedAt || key.lastUsedAt <= notBefore)) key.lastUsedAt = at
  }
}
