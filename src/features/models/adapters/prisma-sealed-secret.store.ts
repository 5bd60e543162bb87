import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { Reseal, SealedSecretStore, SecretQuery, StoredSecret } from '../sealed-secret.store.port.ts'

const SQLITE_YIELD_EVERY = 20

/** ModelConfig.credential* columns, then ProviderCredential rows: the (kind, id) order of the port. */
@injectable()
export class PrismaSealedSecretStore implements SealedSecretStore {
  constructor(@inject(Database) private readonly db: Database) {}

  async list({ excludeKeyId, after, limit }: SecretQuery): Promise<StoredSecret[]> {
    const out: StoredSecret[] = []
    if (!after || after.kind === 'model-config') {
      const rows = await this.db.client.modelConfig.findMany({
        where: {
          credentialCiphertext: { not: null },
          credentialKeyId: excludeKeyId === undefined ? { not: null } : { not: excludeKeyId },
          ...(after ? { id: { gt: after.id } } : {}),
        },
        select: { id: true, credentialCiphertext: true, credentialKeyId: true },
        orderBy: { id: 'asc' },
        take: limit,
      })
      for (const r of rows) out.push({ kind: 'model-config', id: r.id, ciphertext: r.credentialCiphertext!, keyId: r.credentialKeyId! })
    }
    if (out.length < limit) {
      const rows = await this.db.client.providerCredential.findMany({
        where: {
          ...(excludeKeyId === undefined ? {} : { keyId: { not: excludeKeyId } }),
          ...(after?.kind === 'provider-credential' ? { id: { gt: after.id } } : {}),
        },
        select: { id: true, ciphertext: true, keyId: true },
        orderBy: { id: 'asc' },
        take: limit - out.length,
      })
      for (const r of rows) out.push({ kind: 'provider-credential', id: r.id, ciphertext: r.ciphertext, keyId: r.keyId })
    }
    return out
  }

  async resealMany(items: Reseal[]): Promise<boolean[]> {
    if (this.db.kind === 'postgres') {
      // One commit (one WAL flush) per batch; MVCC readers are never blocked by it.
      const results = await this.db.client.$transaction(items.map((item) => this.reseal(item)))
      return results.map((r) => r.count === 1)
    }
    // SQLite has one connection: a long write transaction would stall every request (and measured
    // slower than autocommit), so each compare-and-set commits on its own. better-sqlite3 answers
    // synchronously, so the loop would also run in microtasks only and starve HTTP requests until
    // the batch is done: the event loop gets a turn now and then.
    const results: boolean[] = []
    for (const [i, item] of items.entries()) {
      if (i % SQLITE_YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve))
      results.push((await this.reseal(item)).count === 1)
    }
    return results
  }

  /** The conditional UPDATE: writes only if the stored value is still the one that was read. */
  private reseal({ ref, expected, next }: Reseal) {
    return ref.kind === 'model-config'
      ? this.db.client.modelConfig.updateMany({
          where: { id: ref.id, credentialCiphertext: expected },
          data: { credentialCiphertext: next.ciphertext, credentialKeyId: next.keyId },
        })
      : this.db.client.providerCredential.updateMany({
          where: { id: ref.id, ciphertext: expected },
          data: { ciphertext: next.ciphertext, keyId: next.keyId },
        })
  }

  async countByKeyId(): Promise<Record<string, number>> {
    const [configs, credentials] = await Promise.all([
      this.db.client.modelConfig.groupBy({ by: ['credentialKeyId'], where: { credentialCiphertext: { not: null } }, _count: { _all: true } }),
      this.db.client.providerCredential.groupBy({ by: ['keyId'], _count: { _all: true } }),
    ])
    const counts: Record<string, number> = {}
    for (const g of configs) if (g.credentialKeyId) counts[g.credentialKeyId] = (counts[g.credentialKeyId] ?? 0) + g._count._all
    for (const g of credentials) counts[g.keyId] = (counts[g.keyId] ?? 0) + g._count._all
    return counts
  }
}
