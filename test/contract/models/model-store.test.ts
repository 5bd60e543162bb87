import { PrismaModelConfigRepository } from '../../../src/features/models/adapters/prisma-model-config.repository.ts'
import { PrismaSealedSecretStore } from '../../../src/features/models/adapters/prisma-sealed-secret.store.ts'
import { InMemoryModelStore } from '../../../src/features/models/testing/in-memory-model-store.ts'
import { modelStoreContract } from '../../../src/features/models/testing/model-store.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

modelStoreContract('in-memory fake', async () => {
  let t = 0
  const fake = new InMemoryModelStore(() => new Date(Date.UTC(2026, 0, 1) + ++t))
  return {
    repo: fake,
    store: fake,
    addUser: async () => {},
    addPoolCredential: async (c) => fake.addPoolCredential(c),
    addAccount: async (a) => fake.addAccount(a),
  }
})

onEachDatabase((db, kind) =>
  modelStoreContract(`Prisma on ${kind}`, async () => {
    await db().client.upstreamAccount.deleteMany()
    await db().client.providerCredential.deleteMany()
    await db().client.modelConfig.deleteMany()
    await db().client.user.deleteMany()
    return {
      repo: new PrismaModelConfigRepository(db()),
      store: new PrismaSealedSecretStore(db()),
      addUser: async (id) => void (await db().client.user.create({ data: { id, username: id, passwordHash: 'x' } })),
      addPoolCredential: async ({ id, modelConfigId, ciphertext, keyId, hint }) =>
        void (await db().client.providerCredential.create({ data: { id, modelConfigId, label: id, ciphertext, keyId, hint } })),
      addAccount: async ({ id, secret, proxy }) =>
        void (await db().client.upstreamAccount.create({
          data: {
            id,
            name: id,
            providerKind: 'anthropic',
            authType: 'oauth',
            hint: '',
            secretCiphertext: secret.ciphertext,
            secretKeyId: secret.keyId,
            proxyCiphertext: proxy?.ciphertext ?? null,
            proxyKeyId: proxy?.keyId ?? null,
          },
        })),
    }
  }),
)
