import { PrismaPlatformKeyRepository } from '../../../src/features/keys/adapters/prisma-platform-key.repository.ts'
import { InMemoryPlatformKeyRepository } from '../../../src/features/keys/testing/in-memory-platform-key.repository.ts'
import { platformKeyRepositoryContract } from '../../../src/features/keys/testing/platform-key-repository.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

let n = 0

platformKeyRepositoryContract('in-memory fake', async () => {
  const repo = new InMemoryPlatformKeyRepository()
  return { repo, createOwner: async (over = {}) => repo.addOwner({ id: `owner-${++n}`, username: `owner${n}`, ...over }) }
})

onEachDatabase((db, kind) =>
  platformKeyRepositoryContract(`Prisma on ${kind}`, async () => ({
    repo: new PrismaPlatformKeyRepository(db()),
    async createOwner({ disabled = false, role = 'USER' } = {}) {
      const id = `owner-${++n}`
      await db().client.user.create({ data: { id, username: `owner${n}`, passwordHash: 'x', role, disabled } })
      return { id, username: `owner${n}`, role, disabled }
    },
  })),
)
