import { afterAll, beforeAll, describe } from 'vitest'
import { PrismaChatSessionRepository } from '../../../src/features/chat/adapters/prisma-chat-session.repository.ts'
import { PrismaMessageRepository } from '../../../src/features/chat/adapters/prisma-message.repository.ts'
import { chatSessionRepositoryContract, type ChatRepositoriesFixture } from '../../../src/features/chat/testing/chat-session-repository.contract.ts'
import { InMemoryChatSessionRepository } from '../../../src/features/chat/testing/in-memory-chat-session.repository.ts'
import { InMemoryMessageRepository } from '../../../src/features/chat/testing/in-memory-message.repository.ts'
import { messageRepositoryContract } from '../../../src/features/chat/testing/message-repository.contract.ts'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { createTestDatabase } from '../../support/test-database.ts'

const fakes = async (): Promise<ChatRepositoriesFixture> => {
  const messages = new InMemoryMessageRepository()
  return { messages, sessions: new InMemoryChatSessionRepository(undefined, messages), addUser: async () => {}, addModelConfig: async () => {} }
}
chatSessionRepositoryContract('in-memory fake', fakes)
messageRepositoryContract('in-memory fake', fakes)

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())

    const prisma = async (): Promise<ChatRepositoriesFixture> => {
      await db.client.message.deleteMany()
      await db.client.chatSession.deleteMany()
      await db.client.modelConfig.deleteMany()
      await db.client.user.deleteMany()
      return {
        sessions: new PrismaChatSessionRepository(db),
        messages: new PrismaMessageRepository(db),
        addUser: async (id) => void (await db.client.user.create({ data: { id, username: id, passwordHash: 'x' } })),
        addModelConfig: async (id) =>
          void (await db.client.modelConfig.create({
            data: { id, providerKind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', modelId: 'gpt-4o-mini', displayName: id, contextWindow: 128000, maxOutputTokens: 4096 },
          })),
      }
    }
    chatSessionRepositoryContract(`Prisma on ${kind}`, prisma)
    messageRepositoryContract(`Prisma on ${kind}`, prisma)
  })
}
