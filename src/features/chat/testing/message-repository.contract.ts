import { describe, expect, it } from 'vitest'
import type { MessageRepository } from '../message.repository.port.ts'
import { NO_USAGE, type MessageFinal, type NewMessage } from '../message.ts'
import { newSession, type ChatRepositoriesFixture } from './chat-session-repository.contract.ts'

const message = (id: string, over: Partial<NewMessage> = {}): NewMessage => ({
  id,
  sessionId: 's-1',
  parentId: null,
  role: 'user',
  content: `text of ${id}`,
  status: 'complete',
  modelConfigId: null,
  tokenCount: null,
  ...over,
})

const final = (over: Partial<MessageFinal> = {}): MessageFinal => ({
  status: 'complete',
  content: 'The full answer.',
  finishReason: 'stop',
  usage: { inputTokens: 120, outputTokens: 40, cachedTokens: 100, reasoningTokens: 8, estimated: false },
  tokenCount: 43,
  errorCode: null,
  errorMessage: null,
  ...over,
})

const pad = (n: number) => `m-${String(n).padStart(4, '0')}`

async function withSessions(f: ChatRepositoriesFixture): Promise<MessageRepository> {
  await f.addUser('alice')
  await f.sessions.create(newSession('s-1', 'alice'))
  await f.sessions.create(newSession('s-2', 'alice'))
  return f.messages
}

async function collectAll(repo: MessageRepository, sessionId: string, limit: number): Promise<string[][]> {
  const pages: string[][] = []
  let cursor: string | undefined
  do {
    const page = await repo.page(sessionId, { cursor, limit })
    pages.push(page.items.map((m) => m.id))
    cursor = page.nextCursor ?? undefined
  } while (cursor && pages.length < 50)
  return pages
}

/** One behaviour for every MessageRepository: the in-memory fake and Prisma on both databases. */
export function messageRepositoryContract(name: string, setup: () => Promise<ChatRepositoriesFixture>): void {
  describe(`MessageRepository contract: ${name}`, () => {
    it('appends messages and lists them oldest first by id', async () => {
      const repo = await withSessions(await setup())
      await repo.append(message(pad(3)))
      const reply = await repo.append(message(pad(4), { role: 'assistant', parentId: pad(3), status: 'streaming', content: '' }))
      await repo.append(message(pad(1), { tokenCount: 9 }))
      await repo.append(message(pad(2), { sessionId: 's-2' }))
      expect(reply).toMatchObject({ role: 'assistant', parentId: pad(3), status: 'streaming', content: '', finishReason: null, usage: NO_USAGE, errorCode: null })
      expect(reply.createdAt).toBeInstanceOf(Date)
      expect((await repo.listAll('s-1')).map((m) => m.id)).toEqual([pad(1), pad(3), pad(4)])
      expect(await repo.findById(pad(1))).toMatchObject({ tokenCount: 9, content: `text of ${pad(1)}`, sessionId: 's-1' })
      expect(await repo.findById('missing')).toBeNull()
      expect(await repo.listAll('nobody')).toEqual([])
    })

    it('pages oldest first with opaque cursors and rejects a foreign cursor', async () => {
      const repo = await withSessions(await setup())
      for (const n of [5, 1, 4, 2, 3]) await repo.append(message(pad(n)))
      await repo.append(message(pad(6), { sessionId: 's-2' }))
      expect(await collectAll(repo, 's-1', 2)).toEqual([[pad(1), pad(2)], [pad(3), pad(4)], [pad(5)]])
      expect(await collectAll(repo, 's-1', 5)).toEqual([[pad(1), pad(2), pad(3), pad(4), pad(5)]])
      expect(await repo.page('s-2', { limit: 10 })).toMatchObject({ nextCursor: null })
      await expect(repo.page('s-1', { cursor: '%%%', limit: 2 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    })

    it('saves progress only while streaming and finalizes exactly once', async () => {
      const repo = await withSessions(await setup())
      await repo.append(message(pad(1)))
      await repo.append(message(pad(2), { role: 'assistant', parentId: pad(1), status: 'streaming', content: '' }))
      await repo.saveProgress(pad(2), 'The full')
      expect((await repo.findById(pad(2)))?.content).toBe('The full')

      expect(await repo.finalize(pad(2), final())).toBe(true)
      const done = await repo.findById(pad(2))
      expect(done).toMatchObject({ status: 'complete', content: 'The full answer.', finishReason: 'stop', tokenCount: 43 })
      expect(done?.usage).toEqual({ inputTokens: 120, outputTokens: 40, cachedTokens: 100, reasoningTokens: 8, estimated: false })

      expect(await repo.finalize(pad(2), final({ status: 'aborted', content: 'other', finishReason: null, errorCode: 'X' }))).toBe(false)
      await repo.saveProgress(pad(2), 'late progress')
      expect(await repo.findById(pad(2))).toEqual(done)
      expect(await repo.finalize(pad(1), final())).toBe(false)
      expect(await repo.finalize('missing', final())).toBe(false)
    })

    it('finalizes an error with its code, message and estimated usage', async () => {
      const repo = await withSessions(await setup())
      await repo.append(message(pad(1), { role: 'assistant', status: 'streaming', content: '' }))
      const usage = { inputTokens: 10, outputTokens: 2, cachedTokens: null, reasoningTokens: null, estimated: true }
      expect(await repo.finalize(pad(1), final({ status: 'error', content: 'Par', finishReason: null, usage, tokenCount: null, errorCode: 'PROVIDER_ERROR', errorMessage: 'upstream died' }))).toBe(true)
      expect(await repo.findById(pad(1))).toMatchObject({ status: 'error', content: 'Par', errorCode: 'PROVIDER_ERROR', errorMessage: 'upstream died', usage, tokenCount: null })
    })

    it('caches token counts in bulk, ignoring unknown ids', async () => {
      const repo = await withSessions(await setup())
      const ids = Array.from({ length: 520 }, (_, i) => pad(i + 1))
      for (const id of ids) await repo.append(message(id))
      const before = await repo.findById(pad(1))
      await repo.saveTokenCounts(Object.fromEntries([...ids.map((id, i) => [id, i + 3] as const), ['missing', 5] as const]))
      await repo.saveTokenCounts({})
      const all = await repo.listAll('s-1')
      expect(all.map((m) => m.tokenCount)).toEqual(ids.map((_, i) => i + 3))
      expect(all[0]?.updatedAt).toEqual(before?.updatedAt)
    })

    it('edits a message and deletes everything after it in its session only', async () => {
      const repo = await withSessions(await setup())
      for (const n of [1, 2, 3, 4]) await repo.append(message(pad(n), { role: n % 2 ? 'user' : 'assistant', parentId: n % 2 ? null : pad(n - 1) }))
      await repo.append(message(pad(5), { sessionId: 's-2' }))
      await repo.editAndTruncateAfter(pad(3), 'edited question', 7)
      expect((await repo.listAll('s-1')).map((m) => [m.id, m.content, m.tokenCount])).toEqual([
        [pad(1), `text of ${pad(1)}`, null],
        [pad(2), `text of ${pad(2)}`, null],
        [pad(3), 'edited question', 7],
      ])
      expect(await repo.findById(pad(5))).not.toBeNull()
      await expect(repo.editAndTruncateAfter('missing', 'x', null)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('interrupts stale streaming replies, keeping their partial text', async () => {
      const repo = await withSessions(await setup())
      await repo.append(message(pad(1)))
      await repo.append(message(pad(2), { role: 'assistant', parentId: pad(1), status: 'streaming', content: '' }))
      await repo.append(message(pad(3), { role: 'assistant', parentId: pad(1), status: 'streaming', content: '' }))
      await repo.append(message(pad(4), { role: 'assistant', parentId: pad(1), status: 'streaming', content: '', promptTokens: 42 }))
      await repo.saveProgress(pad(2), 'partial answ')
      expect(await repo.interruptStreaming(new Date(Date.now() - 60_000))).toEqual([])
      const interrupted = await repo.interruptStreaming(new Date(Date.now() + 60_000))
      expect(interrupted.map((m) => [m.id, m.status, m.content])).toEqual([
        [pad(2), 'interrupted', 'partial answ'],
        [pad(3), 'interrupted', ''],
        [pad(4), 'interrupted', ''],
      ])
      expect(interrupted[2]!.usage).toMatchObject({ inputTokens: 42, estimated: true })
      expect(await repo.findById(pad(2))).toMatchObject({ status: 'interrupted', content: 'partial answ' })
      expect(await repo.findById(pad(1))).toMatchObject({ status: 'complete' })
      expect(await repo.finalize(pad(2), final())).toBe(false)
      expect(await repo.interruptStreaming(new Date(Date.now() + 60_000))).toEqual([])
    })
  })
}
