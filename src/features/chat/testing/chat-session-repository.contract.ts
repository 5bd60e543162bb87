import { describe, expect, it } from 'vitest'
import type { ChatSessionRepository } from '../chat-session.repository.port.ts'
import type { NewChatSession } from '../chat-session.ts'
import type { MessageRepository } from '../message.repository.port.ts'

/** Both chat repositories over one store (messages need their session), plus the rows they reference. */
export interface ChatRepositoriesFixture {
  sessions: ChatSessionRepository
  messages: MessageRepository
  addUser(id: string): Promise<void>
  addModelConfig(id: string): Promise<void>
}

export const newSession = (id: string, ownerId: string, over: Partial<NewChatSession> = {}): NewChatSession => ({
  id,
  ownerId,
  modelConfigId: null,
  title: `Session ${id}`,
  systemPrompt: null,
  ...over,
})

async function twoUsers(f: ChatRepositoriesFixture) {
  await f.addUser('alice')
  await f.addUser('bob')
}

async function collectAll(repo: ChatSessionRepository, query: { ownerId: string; q?: string; limit: number }): Promise<string[][]> {
  const pages: string[][] = []
  let cursor: string | undefined
  do {
    const page = await repo.list({ ...query, cursor })
    pages.push(page.items.map((s) => s.id))
    cursor = page.nextCursor ?? undefined
  } while (cursor && pages.length < 50)
  return pages
}

/** One behaviour for every ChatSessionRepository: the in-memory fake and Prisma on both databases. */
export function chatSessionRepositoryContract(name: string, setup: () => Promise<ChatRepositoriesFixture>): void {
  describe(`ChatSessionRepository contract: ${name}`, () => {
    it('creates a session that only its owner finds', async () => {
      const f = await setup()
      await twoUsers(f)
      const created = await f.sessions.create(newSession('s-1', 'alice', { systemPrompt: 'Be brief.' }))
      expect(created).toMatchObject({ id: 's-1', ownerId: 'alice', title: 'Session s-1', systemPrompt: 'Be brief.', modelConfigId: null })
      expect(created.lastActivityAt).toBeInstanceOf(Date)
      expect(created.createdAt).toBeInstanceOf(Date)
      expect(await f.sessions.findOwned('s-1', 'alice')).toEqual(created)
      expect(await f.sessions.findOwned('s-1', 'bob')).toBeNull()
      expect(await f.sessions.findOwned('missing', 'alice')).toBeNull()
    })

    it("lists the owner's sessions by newest activity, and touch moves one to the top", async () => {
      const f = await setup()
      await twoUsers(f)
      for (const id of ['s-1', 's-2', 's-3']) await f.sessions.create(newSession(id, 'alice'))
      await f.sessions.create(newSession('s-bob', 'bob'))
      await f.sessions.touch('s-1', new Date('2030-01-01T00:00:00.000Z'))
      await f.sessions.touch('s-2', new Date('2029-01-01T00:00:00.000Z'))
      await f.sessions.touch('s-3', new Date('2031-01-01T00:00:00.000Z'))
      const page = await f.sessions.list({ ownerId: 'alice', limit: 10 })
      expect(page.items.map((s) => s.id)).toEqual(['s-3', 's-1', 's-2'])
      expect(page.nextCursor).toBeNull()
      expect(page.items[0]!.lastActivityAt.toISOString()).toBe('2031-01-01T00:00:00.000Z')
      await f.sessions.touch('s-2', new Date('2032-01-01T00:00:00.000Z'))
      expect((await f.sessions.list({ ownerId: 'alice', limit: 1 })).items.map((s) => s.id)).toEqual(['s-2'])
      expect((await f.sessions.list({ ownerId: 'bob', limit: 10 })).items.map((s) => s.id)).toEqual(['s-bob'])
    })

    it('pages stably through sessions with equal timestamps, without gaps or repeats', async () => {
      const f = await setup()
      await f.addUser('alice')
      const same = new Date('2030-06-01T12:00:00.123Z')
      const ids = ['s-05', 's-01', 's-04', 's-02', 's-03']
      for (const id of ids) {
        await f.sessions.create(newSession(id, 'alice'))
        await f.sessions.touch(id, same)
      }
      await f.sessions.create(newSession('s-00', 'alice'))
      await f.sessions.touch('s-00', new Date('2030-06-01T12:00:00.122Z'))
      const pages = await collectAll(f.sessions, { ownerId: 'alice', limit: 2 })
      expect(pages).toEqual([['s-05', 's-04'], ['s-03', 's-02'], ['s-01', 's-00']])
      const exact = await collectAll(f.sessions, { ownerId: 'alice', limit: 3 })
      expect(exact).toEqual([['s-05', 's-04', 's-03'], ['s-02', 's-01', 's-00']])
    })

    it('searches titles case-insensitively, with % and _ taken literally', async () => {
      const f = await setup()
      await twoUsers(f)
      const titles: Record<string, string> = { 's-1': 'Trip to PARIS', 's-2': 'paris notes', 's-3': 'Budget 100%', 's-4': 'snake_case names', 's-5': 'Rome' }
      for (const [id, title] of Object.entries(titles)) await f.sessions.create(newSession(id, 'alice', { title }))
      await f.sessions.create(newSession('s-bob', 'bob', { title: 'Paris too' }))
      const ids = async (q: string) => (await f.sessions.list({ ownerId: 'alice', q, limit: 10 })).items.map((s) => s.id).sort()
      expect(await ids('Paris')).toEqual(['s-1', 's-2'])
      expect(await ids('  PARIS ')).toEqual(['s-1', 's-2'])
      expect(await ids('0%')).toEqual(['s-3'])
      expect(await ids('%')).toEqual(['s-3'])
      expect(await ids('e_c')).toEqual(['s-4'])
      expect(await ids('_')).toEqual(['s-4'])
      expect(await ids('Lisbon')).toEqual([])
      expect(await ids('')).toHaveLength(5)
      const pages = await collectAll(f.sessions, { ownerId: 'alice', q: 'PARIS', limit: 1 })
      expect(pages.flat().sort()).toEqual(['s-1', 's-2'])
    })

    it('rejects a cursor it did not make', async () => {
      const f = await setup()
      await f.addUser('alice')
      await expect(f.sessions.list({ ownerId: 'alice', cursor: 'not-a-cursor', limit: 5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    })

    it("updates the owner's session; another owner's update changes nothing", async () => {
      const f = await setup()
      await twoUsers(f)
      await f.addModelConfig('model-1')
      await f.sessions.create(newSession('s-1', 'alice'))
      expect(await f.sessions.update('s-1', 'bob', { title: 'hijacked' })).toBeNull()
      expect(await f.sessions.update('missing', 'alice', { title: 'x' })).toBeNull()
      expect((await f.sessions.findOwned('s-1', 'alice'))?.title).toBe('Session s-1')

      const updated = await f.sessions.update('s-1', 'alice', { title: 'Renamed', modelConfigId: 'model-1', systemPrompt: 'Pirate voice' })
      expect(updated).toMatchObject({ title: 'Renamed', modelConfigId: 'model-1', systemPrompt: 'Pirate voice' })
      const cleared = await f.sessions.update('s-1', 'alice', { modelConfigId: null, systemPrompt: null })
      expect(cleared).toMatchObject({ title: 'Renamed', modelConfigId: null, systemPrompt: null })
      expect(await f.sessions.findOwned('s-1', 'alice')).toEqual(cleared)
    })

    it('deletes a session with its messages; another owner cannot', async () => {
      const f = await setup()
      await twoUsers(f)
      await f.sessions.create(newSession('s-1', 'alice'))
      await f.sessions.create(newSession('s-2', 'alice'))
      const base = { parentId: null, role: 'user' as const, content: 'hi', status: 'complete' as const, modelConfigId: null, tokenCount: null }
      await f.messages.append({ ...base, id: 'm-1', sessionId: 's-1' })
      await f.messages.append({ ...base, id: 'm-2', sessionId: 's-2' })

      expect(await f.sessions.delete('s-1', 'bob')).toBe(false)
      expect(await f.sessions.findOwned('s-1', 'alice')).not.toBeNull()
      expect(await f.messages.findById('m-1')).not.toBeNull()

      expect(await f.sessions.delete('s-1', 'alice')).toBe(true)
      expect(await f.sessions.findOwned('s-1', 'alice')).toBeNull()
      expect(await f.messages.findById('m-1')).toBeNull()
      expect(await f.messages.listAll('s-1')).toEqual([])
      expect(await f.messages.findById('m-2')).not.toBeNull()
      expect(await f.sessions.delete('s-1', 'alice')).toBe(false)
    })
  })
}
