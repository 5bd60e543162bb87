import { PrismaUpstreamAccountRepository } from '../../../src/features/accounts/adapters/prisma-upstream-account.repository.ts'
import { InMemoryUpstreamAccountRepository } from '../../../src/features/accounts/testing/in-memory-upstream-account.repository.ts'
import { upstreamAccountRepositoryContract } from '../../../src/features/accounts/testing/upstream-account-repository.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

upstreamAccountRepositoryContract('in-memory fake', async () => {
  let t = 0
  const fake = new InMemoryUpstreamAccountRepository(() => new Date(Date.UTC(2026, 0, 1) + ++t))
  const models = new Set<string>()
  return {
    repo: fake,
    addModel: async (id) => void models.add(id),
    deleteModel: async (id) => {
      models.delete(id)
      fake.deleteModel(id)
    },
    modelExists: async (id) => models.has(id),
  }
})

onEachDatabase((db, kind) =>
  upstreamAccountRepositoryContract(`Prisma on ${kind}`, async () => {
    const client = db().client
    await client.modelAccount.deleteMany()
    await client.upstreamAccount.deleteMany()
    await client.modelConfig.deleteMany()
    return {
      repo: new PrismaUpstreamAccountRepository(db()),
      // Model configs belong to the models slice: rows made directly, as its repository would.
      addModel: async (id) =>
        void (await client.modelConfig.create({
          data: { id, providerKind: 'anthropic', baseUrl: 'https://api.anthropic.com', modelId: 'claude', displayName: id, contextWindow: 200_000, maxOutputTokens: 8192 },
        })),
      deleteModel: async (id) => void (await client.modelConfig.delete({ where: { id } })),
      modelExists: async (id) => (await client.modelConfig.findUnique({ where: { id } })) !== null,
    }
  }),
)
