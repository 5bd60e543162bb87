import { describe, expect, it } from 'vitest'
import { upstreamAccountPoolsContract } from './upstream-account-pools.contract.ts'
import type { NewAccount } from '../upstream-account.ts'
import { HOUR, at, ids, newAccount, sealed, tokens, type UpstreamAccountFixture } from './upstream-account-fixtures.ts'

/** One behaviour for the in-memory fake and the Prisma adapter on SQLite and PostgreSQL. */
export function upstreamAccountRepositoryContract(name: string, setup: () => Promise<UpstreamAccountFixture>): void {
  describe(`upstream account repository contract: ${name}`, () => {
    describe('accounts', () => {
      it('creates and reads an account back with every field', async () => {
        const { repo } = await setup()
        const input = newAccount({
          providerKind: 'gemini',
          authType: 'oauth',
          baseUrl: 'https://gemini.example/v1',
          proxyDisplay: 'socks5://bob:***@10.0.0.1:1080',
          proxy: sealed('k1', 'proxy'),
          priority: 7,
          weight: 3,
          status: 'rate_limited',
          statusReason: '429 from upstream',
          statusUntil: at(HOUR),
          tokenExpiresAt: at(2 * HOUR),
          scopes: 'cloud-platform',
          projectId: 'proj-1',
        })
        const created = await repo.create(input)
        expect(created).toMatchObject({ ...input, refreshFence: 0, lastRefreshedAt: null })
        expect(created.createdAt).toBeInstanceOf(Date)
        expect(created.updatedAt).toBeInstanceOf(Date)
        expect(await repo.findById(input.id)).toEqual(created)
        expect(await repo.findById('acc-missing')).toBeNull()
      })

      it('hands out copies: changing a returned account or the input changes nothing stored', async () => {
        const { repo } = await setup()
        const input = newAccount()
        const created = await repo.create(input)
        input.name = 'changed input'
        input.secret.ciphertext = 'changed'
        created.name = 'changed output'
        created.secret.keyId = 'changed'
        const found = (await repo.findById(input.id))!
        expect(found.name).toBe(`account ${input.id}`)
        expect(found.secret).toEqual(sealed('k1', `secret-${input.id}`))
        found.status = 'disabled'
        expect((await repo.findById(input.id))!.status).toBe('active')
      })

      it('refuses a second account with the same id', async () => {
        const { repo } = await setup()
        const input = newAccount()
        await repo.create(input)
        await expect(repo.create({ ...input, name: 'again' })).rejects.toThrow()
        expect((await repo.findById(input.id))!.name).toBe(input.name)
      })

      it('lists oldest first, filtered by provider kind and status', async () => {
        const { repo } = await setup()
        const a = await repo.create(newAccount({ providerKind: 'anthropic' }))
        const b = await repo.create(newAccount({ providerKind: 'openai', status: 'disabled' }))
        const c = await repo.create(newAccount({ providerKind: 'anthropic', status: 'disabled' }))
        const d = await repo.create(newAccount({ providerKind: 'gemini' }))
        expect(ids(await repo.list())).toEqual(ids([a, b, c, d]))
        expect(ids(await repo.list({}))).toEqual(ids([a, b, c, d]))
        expect(ids(await repo.list({ providerKind: 'anthropic' }))).toEqual(ids([a, c]))
        expect(ids(await repo.list({ status: 'disabled' }))).toEqual(ids([b, c]))
        expect(ids(await repo.list({ providerKind: 'anthropic', status: 'disabled' }))).toEqual(ids([c]))
        expect(await repo.list({ providerKind: 'openai', status: 'active' })).toEqual([])
        expect(await repo.list()).toEqual([a, b, c, d])
      })

      it('updates the given fields only, and answers null for a missing account', async () => {
        const { repo } = await setup()
        const created = await repo.create(newAccount())
        const updated = await repo.update(created.id, {
          name: 'renamed',
          priority: 1,
          weight: 5,
          status: 'cooling_down',
          statusReason: 'overloaded',
          statusUntil: at(HOUR),
          proxy: sealed('k1', 'proxy-url'),
          proxyDisplay: 'http://proxy.local:3128',
          projectId: undefined,
        })
        expect(updated).toMatchObject({
          ...created,
          name: 'renamed',
          priority: 1,
          weight: 5,
          status: 'cooling_down',
          statusReason: 'overloaded',
          statusUntil: at(HOUR),
          proxy: sealed('k1', 'proxy-url'),
          proxyDisplay: 'http://proxy.local:3128',
          updatedAt: expect.any(Date),
        })
        expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime())
        expect(await repo.findById(created.id)).toEqual(updated)

        const cleared = await repo.update(created.id, { proxy: null, proxyDisplay: null, statusUntil: null, secret: sealed('k3', 'new-key'), hint: 'abcd' })
        expect(cleared).toMatchObject({ proxy: null, proxyDisplay: null, statusUntil: null, secret: sealed('k3', 'new-key'), hint: 'abcd', name: 'renamed' })
        expect(await repo.update('acc-missing', { name: 'x' })).toBeNull()
        expect(await repo.findById('acc-missing')).toBeNull()
      })

      it('deletes an account and returns it; a second delete answers null', async () => {
        const { repo } = await setup()
        const a = await repo.create(newAccount())
        const b = await repo.create(newAccount())
        expect(await repo.delete(a.id)).toEqual(a)
        expect(await repo.findById(a.id)).toBeNull()
        expect(await repo.delete(a.id)).toBeNull()
        expect(ids(await repo.list())).toEqual([b.id])
      })
    })

    describe('createMany', () => {
      it('creates a batch, in the order given, all readable afterwards', async () => {
        const { repo } = await setup()
        const batch = [newAccount(), newAccount({ authType: 'oauth', tokenExpiresAt: at(HOUR) }), newAccount({ providerKind: 'openai' })]
        const created = await repo.createMany(batch)
        expect(ids(created)).toEqual(batch.map((a) => a.id))
        for (const [i, account] of created.entries()) {
          expect(account).toMatchObject({ ...batch[i], refreshFence: 0, lastRefreshedAt: null })
          expect(await repo.findById(account.id)).toEqual(account)
        }
        expect(await repo.createMany([])).toEqual([])
        expect(await repo.list()).toHaveLength(3)
      })

      it('is all or nothing: a duplicate id in the batch leaves nothing behind', async () => {
        const { repo } = await setup()
        const first = newAccount()
        const second = newAccount()
        await expect(repo.createMany([first, second, { ...newAccount(), id: first.id }])).rejects.toThrow()
        expect(await repo.findById(first.id)).toBeNull()
        expect(await repo.findById(second.id)).toBeNull()
        expect(await repo.list()).toEqual([])
      })

      it('is all or nothing: an id already stored leaves nothing new behind', async () => {
        const { repo } = await setup()
        const existing = await repo.create(newAccount())
        const fresh = newAccount()
        await expect(repo.createMany([fresh, { ...newAccount(), id: existing.id }])).rejects.toThrow()
        expect(await repo.findById(fresh.id)).toBeNull()
        expect(await repo.list()).toEqual([existing])
      })
    })

    describe('storeRefreshedTokens (fencing)', () => {
      it('writes a newer fence: the token set, the fence, the refresh time; the status stays (a new token ends no rate limit, and never re-enables)', async () => {
        const { repo } = await setup()
        const created = await repo.create(
          newAccount({ authType: 'oauth', status: 'rate_limited', statusReason: '429', statusUntil: at(HOUR), tokenExpiresAt: at(0), scopes: 'old' }),
        )
        expect(await repo.storeRefreshedTokens(created.id, tokens(3))).toBe(true)
        const stored = (await repo.findById(created.id))!
        expect(stored).toMatchObject({
          secret: sealed('k2', 'refreshed-3'),
          hint: 'f003',
          tokenExpiresAt: at(2 * HOUR),
          scopes: 'user:inference user:profile',
          refreshFence: 3,
          lastRefreshedAt: at(3000),
          status: 'rate_limited',
          statusReason: '429',
          statusUntil: at(HOUR),
          name: created.name,
          createdAt: created.createdAt,
        })

        expect(await repo.storeRefreshedTokens(created.id, tokens(7, { tokenExpiresAt: null, scopes: null }))).toBe(true)
        expect(await repo.findById(created.id)).toMatchObject({ refreshFence: 7, tokenExpiresAt: null, scopes: null, hint: 'f007' })
      })

      it('refuses an equal or lower fence and leaves the account as it was', async () => {
        const { repo } = await setup()
        const created = await repo.create(newAccount({ authType: 'oauth' }))
        expect(await repo.storeRefreshedTokens(created.id, tokens(5))).toBe(true)
        const after5 = await repo.findById(created.id)
        await repo.update(created.id, { status: 'needs_reauth', statusReason: 'invalid_grant' })
        const before = await repo.findById(created.id)
        expect(await repo.storeRefreshedTokens(created.id, tokens(5))).toBe(false)
        expect(await repo.storeRefreshedTokens(created.id, tokens(4))).toBe(false)
        expect(await repo.storeRefreshedTokens(created.id, tokens(0))).toBe(false)
        expect(await repo.findById(created.id)).toEqual(before)
        expect(before).toMatchObject({ secret: after5!.secret, refreshFence: 5, status: 'needs_reauth' })
      })

      it('refuses a never-refreshed account a zero fence, and answers false for a missing account', async () => {
        const { repo } = await setup()
        const created = await repo.create(newAccount({ authType: 'oauth' }))
        expect(await repo.storeRefreshedTokens(created.id, tokens(0))).toBe(false)
        expect((await repo.findById(created.id))!.secret).toEqual(created.secret)
        expect(await repo.storeRefreshedTokens('acc-missing', tokens(9))).toBe(false)
      })

      it('keeps the newest of concurrent writers', async () => {
        const { repo } = await setup()
        const created = await repo.create(newAccount({ authType: 'oauth' }))
        const results = await Promise.all([2, 9, 4, 6].map((fence) => repo.storeRefreshedTokens(created.id, tokens(fence))))
        expect(results[1]).toBe(true)
        expect(await repo.findById(created.id)).toMatchObject({ refreshFence: 9, secret: sealed('k2', 'refreshed-9') })
      })
    })

    describe('listExpiring', () => {
      it('lists OAuth accounts expiring before the time, oldest first, except disabled and needs_reauth ones', async () => {
        const { repo } = await setup()
        const oauth = (over: Partial<NewAccount>) => repo.create(newAccount({ authType: 'oauth', ...over }))
        const soon = await oauth({ tokenExpiresAt: at(HOUR) })
        await oauth({ tokenExpiresAt: at(3 * HOUR) }) // later than `before`
        await oauth({ tokenExpiresAt: at(2 * HOUR) }) // exactly `before`: not before it
        const expired = await oauth({ tokenExpiresAt: at(-HOUR) })
        await oauth({ tokenExpiresAt: null }) // unknown expiry (an imported setup token)
        await oauth({ tokenExpiresAt: at(HOUR), status: 'disabled' })
        await oauth({ tokenExpiresAt: at(HOUR), status: 'needs_reauth' })
        const limited = await oauth({ tokenExpiresAt: at(HOUR), status: 'rate_limited', statusUntil: at(HOUR) })
        const blocked = await oauth({ tokenExpiresAt: at(HOUR), status: 'blocked' })
        const cooling = await oauth({ tokenExpiresAt: at(HOUR), status: 'cooling_down' })
        await repo.create(newAccount({ authType: 'api_key', tokenExpiresAt: at(HOUR) }))

        expect(ids(await repo.listExpiring(at(2 * HOUR)))).toEqual(ids([soon, expired, limited, blocked, cooling]))
        expect(ids(await repo.listExpiring(at(0)))).toEqual([expired.id])
        expect(await repo.listExpiring(at(-2 * HOUR))).toEqual([])
      })

      it('follows refreshes: a refreshed account no longer expires before the time', async () => {
        const { repo } = await setup()
        const account = await repo.create(newAccount({ authType: 'oauth', tokenExpiresAt: at(HOUR) }))
        expect(ids(await repo.listExpiring(at(2 * HOUR)))).toEqual([account.id])
        await repo.storeRefreshedTokens(account.id, tokens(1, { tokenExpiresAt: at(5 * HOUR) }))
        expect(await repo.listExpiring(at(2 * HOUR))).toEqual([])
      })
    })

    upstreamAccountPoolsContract(setup)

  })
}
