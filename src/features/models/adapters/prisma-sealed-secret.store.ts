import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import { SECRET_KINDS, type Reseal, type SealedSecretStore, type SecretKind, type SecretQuery, type StoredSecret } from '../sealed-secret.store.port.ts'

const SQLITE_YIELD_EVERY = 20

interface KindPage {
  excludeKeyId: string | undefined
  /** Only ids after this one (keyset paging within the kind). */
  afterId: string | undefined
  take: number
}

/**
 * ModelConfig.credential* columns, then ProviderCredential rows, then UpstreamAccount.secret*
 * columns, then UpstreamAccount.proxy* columns: the (kind, id) order of the port.
 */
@injectable()
export class PrismaSealedSecretStore implements SealedSecretStore {
  constructor(@inject(Database) private readonly db: Database) {}

  async list({ excludeKeyId, after, limit }: SecretQuery): Promise<StoredSecret[]> {
    const out: StoredSecret[] = []
    const start = after ? SECRET_KINDS.indexOf(after.kind) : 0
    for (const kind of SECRET_KINDS.slice(start)) {
      if (out.length >= limit) break
      const afterId = after?.kind === kind ? after.id : undefined
      out.push(...(await this.page(kind, { excludeKeyId, afterId, take: limit - out.length })))
    }
    return out
  }

  private async page(kind: SecretKind, { excludeKeyId, afterId, take }: KindPage): Promise<StoredSecret[]> {
    const client = this.db.client
    const idAfter = afterId === undefined ? {} : { id: { gt: afterId } }
    const orderBy = { id: 'asc' as const }
    switch (kind) {
      case 'model-config': {
        const rows = await client.modelConfig.findMany({
          where: { credentialCiphertext: { not: null }, credentialKeyId: excludeKeyId === undefined ? { not: null } : { not: excludeKeyId }, ...idAfter },
          select: { id: true, credentialCiphertext: true, credentialKeyId: true },
          orderBy,
          take,
        })
        return rows.map((r) => ({ kind, id: r.id, ciphertext: r.credentialCiphertext!, keyId: r.credentialKeyId! }))
      }
      case 'provider-credential': {
        const rows = await client.providerCredential.findMany({
          where: { ...(excludeKeyId === undefined ? {} : { keyId: { not: excludeKeyId } }), ...idAfter },
          select: { id: true, ciphertext: true, keyId: true },
          orderBy,
          take,
        })
        return rows.map((r) => ({ kind, id: r.id, ciphertext: r.ciphertext, keyId: r.keyId }))
      }
      case 'upstream-account': {
        const rows = await client.upstreamAccount.findMany({
          where: { ...(excludeKeyId === undefined ? {} : { secretKeyId: { not: excludeKeyId } }), ...idAfter },
          select: { id: true, secretCiphertext: true, secretKeyId: true },
          orderBy,
          take,
        })
        return rows.map((r) => ({ kind, id: r.id, ciphertext: r.secretCiphertext, keyId: r.secretKeyId }))
      }
      case 'upstream-account-proxy': {
        const rows = await client.upstreamAccount.findMany({
          where: { proxyCiphertext: { not: null }, proxyKeyId: excludeKeyId === undefined ? { not: null } : { not: excludeKeyId }, ...idAfter },
          select: { id: true, proxyCiphertext: true, proxyKeyId: true },
          orderBy,
          take,
        })
        return rows.map((r) => ({ kind, id: r.id, ciphertext: r.proxyCiphertext!, keyId: r.proxyKeyId! }))
      }
    }
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
    const client = this.db.client
    switch (ref.kind) {
      case 'model-config':
        return client.modelConfig.updateMany({
          where: { id: ref.id, credentialCiphertext: expected },
          data: { credentialCiphertext: next.ciphertext, credentialKeyId: next.keyId },
        })
      case 'provider-credential':
        return client.providerCredential.updateMany({
          where: { id: ref.id, ciphertext: expected },
          data: { ciphertext: next.ciphertext, keyId: next.keyId },
        })
      case 'upstream-account':
        // A token refresh meanwhile changed the ciphertext: the refreshed value is kept (and is
        // sealed under the current key already).
        return client.upstreamAccount.updateMany({
          where: { id: ref.id, secretCiphertext: expected },
          data: { secretCiphertext: next.ciphertext, secretKeyId: next.keyId },
        })
      case 'upstream-account-proxy':
        return client.upstreamAccount.updateMany({
          where: { id: ref.id, proxyCiphertext: expected },
          data: { proxyCiphertext: next.ciphertext, proxyKeyId: next.keyId },
        })
    }
  }

  async countByKeyId(): Promise<Record<string, number>> {
    const client = this.db.client
    const [configs, credentials, accounts, proxies] = await Promise.all([
      client.modelConfig.groupBy({ by: ['credentialKeyId'], where: { credentialCiphertext: { not: null } }, _count: { _all: true } }),
      client.providerCredential.groupBy({ by: ['keyId'], _count: { _all: true } }),
      client.upstreamAccount.groupBy({ by: ['secretKeyId'], _count: { _all: true } }),
      client.upstreamAccount.groupBy({ by: ['proxyKeyId'], where: { proxyCiphertext: { not: null } }, _count: { _all: true } }),
    ])
    const counts: Record<string, number> = {}
    const add = (keyId: string | null, n: number) => {
      if (keyId) counts[keyId] = (counts[keyId] ?? 0) + n
    }
    for (const g of configs) add(g.credentialKeyId, g._count._all)
    for (const g of credentials) add(g.keyId, g._count._all)
    for (const g of accounts) add(g.secretKeyId, g._count._all)
    for (const g of proxies) add(g.proxyKeyId, g._count._all)
    return counts
  }
}
