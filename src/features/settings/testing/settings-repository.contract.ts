import { beforeEach, describe, expect, it } from 'vitest'
import type { SettingsRepository } from '../settings.repository.port.ts'

export interface SettingsRepositoryHarness {
  repo: SettingsRepository
  /** Makes a user the repository can attach personal settings to (a foreign key in the database). */
  addUser(userId: string): Promise<void>
}

/** One behaviour, every implementation: the in-memory fake, SQLite and PostgreSQL. `setup` runs before each test on empty storage. */
export function settingsRepositoryContract(name: string, setup: () => Promise<SettingsRepositoryHarness>): void {
  describe(`SettingsRepository contract: ${name}`, () => {
    let repo: SettingsRepository
    let addUser: (userId: string) => Promise<void>

    beforeEach(async () => {
      ;({ repo, addUser } = await setup())
    })

    describe('system settings', () => {
      it('starts empty', async () => {
        expect(await repo.getSystem()).toEqual({})
      })

      it('round-trips JSON values of every shape', async () => {
        const values = { mode: 'multi-user', defaultModelId: null, maxMessageChars: 5000, defaultUserQuota: { tokensPerDay: 10, nested: [1, 'a'] }, flag: false }
        await repo.setSystem(values, 'admin-1')
        expect(await repo.getSystem()).toEqual(values)
      })

      it('overwrites the given keys and keeps the others', async () => {
        await repo.setSystem({ registration: 'open', maxMessageChars: 10 }, 'admin-1')
        await repo.setSystem({ registration: 'closed' }, null)
        expect(await repo.getSystem()).toEqual({ registration: 'closed', maxMessageChars: 10 })
      })

      it('writes all keys or none', async () => {
        await repo.setSystem({ registration: 'open' }, 'admin-1')
        await expect(repo.setSystem({ registration: 'closed', broken: 10n }, 'admin-1')).rejects.toThrow()
        expect(await repo.getSystem()).toEqual({ registration: 'open' })
      })

      it('accepts an empty write', async () => {
        await repo.setSystem({}, 'admin-1')
        expect(await repo.getSystem()).toEqual({})
      })

      it('hands out copies', async () => {
        await repo.setSystem({ defaultUserQuota: { tokensPerDay: 1 } }, 'admin-1')
        const read = await repo.getSystem()
        ;(read.defaultUserQuota as { tokensPerDay: number }).tokensPerDay = 99
        expect(await repo.getSystem()).toEqual({ defaultUserQuota: { tokensPerDay: 1 } })
      })
    })

    describe('personal settings', () => {
      beforeEach(async () => {
        await addUser('user-a')
        await addUser('user-b')
      })

      it('is empty for a user without settings', async () => {
        expect(await repo.getUser('user-a')).toEqual({})
      })

      it('keeps each user apart', async () => {
        await repo.setUser('user-a', { defaultModelId: 'm-a', uiPreferences: { theme: 'dark' } })
        await repo.setUser('user-b', { defaultModelId: 'm-b' })
        expect(await repo.getUser('user-a')).toEqual({ defaultModelId: 'm-a', uiPreferences: { theme: 'dark' } })
        expect(await repo.getUser('user-b')).toEqual({ defaultModelId: 'm-b' })
      })

      it('overwrites the given keys and keeps the others', async () => {
        await repo.setUser('user-a', { defaultModelId: 'm-1', defaultSystemPrompt: 'Be brief.' })
        await repo.setUser('user-a', { defaultModelId: null })
        expect(await repo.getUser('user-a')).toEqual({ defaultModelId: null, defaultSystemPrompt: 'Be brief.' })
      })

      it('writes all keys or none', async () => {
        await expect(repo.setUser('user-a', { defaultModelId: 'm-1', broken: 10n })).rejects.toThrow()
        expect(await repo.getUser('user-a')).toEqual({})
      })

      it('does not mix personal and system settings', async () => {
        await repo.setUser('user-a', { defaultModelId: 'mine' })
        await repo.setSystem({ defaultModelId: 'everyone' }, 'admin-1')
        expect(await repo.getUser('user-a')).toEqual({ defaultModelId: 'mine' })
        expect(await repo.getSystem()).toEqual({ defaultModelId: 'everyone' })
      })
    })
  })
}
