import { describe, expect, it } from 'vitest'
import { InProcessReplyControl } from '../../../src/features/chat/adapters/in-process-reply-control.ts'
import { CreateSession } from '../../../src/features/chat/create-session.use-case.ts'
import { DeleteSession } from '../../../src/features/chat/delete-session.use-case.ts'
import { GetSession } from '../../../src/features/chat/get-session.use-case.ts'
import { ListMessages } from '../../../src/features/chat/list-messages.use-case.ts'
import { ListSessions } from '../../../src/features/chat/list-sessions.use-case.ts'
import type { DefaultModels } from '../../../src/features/chat/default-models.port.ts'
import { InMemoryChatSessionRepository } from '../../../src/features/chat/testing/in-memory-chat-session.repository.ts'
import { InMemoryMessageRepository } from '../../../src/features/chat/testing/in-memory-message.repository.ts'
import { UpdateSession } from '../../../src/features/chat/update-session.use-case.ts'
import type { ModelAccess } from '../../../src/features/models/model-access.port.ts'
import type { ModelConfig } from '../../../src/features/models/model-config.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { NotFound } from '../../../src/shared/errors.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

const alice: Actor = { userId: 'alice', username: 'alice', role: 'USER' }
const bob: Actor = { userId: 'bob', username: 'bob', role: 'USER' }
const root: Actor = { userId: 'root', username: 'root', role: 'ADMIN' }

/** alice may use m-alice and m-shared; bob only m-shared. */
const access: ModelAccess = {
  async resolveForUse(actor, id) {
    const allowed = id === 'm-shared' || (id === 'm-alice' && actor.userId === 'alice')
    if (!allowed) throw new NotFound('Model')
    return { config: { id } as ModelConfig, apiKey: '' }
  },
  listUsable: async (actor) => (actor.userId === 'alice' ? ['m-alice', 'm-shared'] : ['m-shared']).map((id) => ({ id }) as ModelConfig),
}

function setup(defaults: Record<string, string[]> = {}) {
  const defaultModels: DefaultModels = { candidatesFor: async (userId) => defaults[userId] ?? [] }
  const clock = new ManualClock()
  const messages = new InMemoryMessageRepository(() => clock.now())
  const sessions = new InMemoryChatSessionRepository(() => clock.now(), messages)
  return {
    clock,
    sessions,
    messages,
    create: new CreateSession(sessions, access, new SequentialIds('s'), defaultModels),
    list: new ListSessions(sessions),
    get: new GetSession(sessions),
    update: new UpdateSession(sessions, access),
    remove: new DeleteSession(sessions, new InProcessReplyControl()),
    listMessages: new ListMessages(sessions, messages),
  }
}

describe('chat session use cases', () => {
  it('creates a session with defaults, blank text meaning none', async () => {
    const s = setup()
    expect(await s.create.execute({ actor: alice })).toMatchObject({ id: 's-0001', ownerId: 'alice', title: 'New chat', modelConfigId: null, systemPrompt: null })
    expect(await s.create.execute({ actor: alice, title: '  ', systemPrompt: ' \n' })).toMatchObject({ title: 'New chat', systemPrompt: null })
    expect(await s.create.execute({ actor: alice, modelId: 'm-alice', title: ' Trip ', systemPrompt: 'Be brief.' })).toMatchObject({
      title: 'Trip',
      modelConfigId: 'm-alice',
      systemPrompt: 'Be brief.',
    })
  })

  it('gives a session created without a model the first default the caller may use', async () => {
    // Candidates come best first: the user's own default, then the system default.
    const s = setup({ alice: ['m-alice', 'm-shared'], bob: ['m-alice', 'm-shared'], root: ['m-gone'] })
    expect((await s.create.execute({ actor: alice })).modelConfigId).toBe('m-alice')
    expect((await s.create.execute({ actor: bob })).modelConfigId).toBe('m-shared') // alice's model is not his
    expect((await s.create.execute({ actor: root })).modelConfigId).toBeNull() // no usable default: none
    // An explicit model wins over the defaults.
    expect((await s.create.execute({ actor: alice, modelId: 'm-shared' })).modelConfigId).toBe('m-shared')
  })

  it('refuses a model the caller may not use, storing nothing', async () => {
    const s = setup()
    await expect(s.create.execute({ actor: bob, modelId: 'm-alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await s.list.execute({ actor: bob, limit: 10 })).items).toEqual([])
  })

  it("answers NOT_FOUND for another user's session, admins included", async () => {
    const s = setup()
    const mine = await s.create.execute({ actor: alice, title: 'private' })
    for (const actor of [bob, root]) {
      const ref = { actor, sessionId: mine.id }
      await expect(s.get.execute(ref)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(s.update.execute({ ...ref, title: 'mine now' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(s.update.execute({ ...ref, modelId: 'm-alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(s.remove.execute(ref)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(s.listMessages.execute({ ...ref, limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await s.list.execute({ actor, limit: 10 })).items).toEqual([])
    }
    expect(await s.get.execute({ actor: alice, sessionId: mine.id })).toMatchObject({ title: 'private' })
  })

  it('updates title, model and system prompt, checking the model only when it changes', async () => {
    const s = setup()
    const session = await s.create.execute({ actor: alice, modelId: 'm-alice', systemPrompt: 'old' })
    s.clock.advance(1000)
    const updated = await s.update.execute({ actor: alice, sessionId: session.id, title: 'Renamed', modelId: 'm-shared', systemPrompt: '' })
    expect(updated).toMatchObject({ title: 'Renamed', modelConfigId: 'm-shared', systemPrompt: null })
    expect(updated.updatedAt.getTime()).toBe(session.createdAt.getTime() + 1000)
    expect(await s.update.execute({ actor: alice, sessionId: session.id, modelId: null })).toMatchObject({ modelConfigId: null })
    expect(await s.update.execute({ actor: alice, sessionId: session.id })).toMatchObject({ title: 'Renamed' })

    const bobs = await s.create.execute({ actor: bob })
    await expect(s.update.execute({ actor: bob, sessionId: bobs.id, modelId: 'm-alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await s.get.execute({ actor: bob, sessionId: bobs.id })).modelConfigId).toBeNull()
  })

  it('lists own sessions newest activity first, with title search', async () => {
    const s = setup()
    for (const title of ['Paris trip', 'Rome', 'paris food']) {
      await s.create.execute({ actor: alice, title })
      s.clock.advance(1000)
    }
    expect((await s.list.execute({ actor: alice, limit: 10 })).items.map((x) => x.title)).toEqual(['paris food', 'Rome', 'Paris trip'])
    expect((await s.list.execute({ actor: alice, limit: 10, q: ' PARIS ' })).items.map((x) => x.title)).toEqual(['paris food', 'Paris trip'])
    expect((await s.list.execute({ actor: alice, limit: 10, q: '   ' })).items).toHaveLength(3)
  })

  it('deletes a session with its messages, once', async () => {
    const s = setup()
    const session = await s.create.execute({ actor: alice })
    await s.messages.append({ id: 'm1', sessionId: session.id, parentId: null, role: 'user', content: 'hi', status: 'complete', modelConfigId: null, tokenCount: null })
    expect((await s.listMessages.execute({ actor: alice, sessionId: session.id, limit: 10 })).items).toHaveLength(1)
    await s.remove.execute({ actor: alice, sessionId: session.id })
    expect(await s.messages.findById('m1')).toBeNull()
    await expect(s.remove.execute({ actor: alice, sessionId: session.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
