import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { AddPoolCredential } from '../../../src/features/models/add-pool-credential.use-case.ts'
import { InProcessCredentialHealth } from '../../../src/features/models/adapters/in-process-credential-health.ts'
import { CredentialSelector } from '../../../src/features/models/credential-selector.ts'
import { ListPoolCredentials } from '../../../src/features/models/list-pool-credentials.use-case.ts'
import { ModelAccessService } from '../../../src/features/models/model-access.service.ts'
import { modelConfigAad, type NewModelConfig } from '../../../src/features/models/model-config.ts'
import { RemovePoolCredential } from '../../../src/features/models/remove-pool-credential.use-case.ts'
import { InMemoryModelStore } from '../../../src/features/models/testing/in-memory-model-store.ts'
import { InMemoryProviderCredentials } from '../../../src/features/models/testing/in-memory-provider-credentials.ts'
import { UpdatePoolCredential } from '../../../src/features/models/update-pool-credential.use-case.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { AesGcmSecretBox } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

export const admin: Actor = { userId: 'u-admin', username: 'admin', role: 'ADMIN' }
export const user: Actor = { userId: 'u-user', username: 'user', role: 'USER' }
export const OWN_KEY = 'sk-own-key-0123456789abcdOWN1'

/** The pool's use cases, the selector and ModelAccess wired by hand to fakes; `draws` feeds the random source. */
export function poolKit() {
  const clock = new ManualClock()
  const store = new InMemoryModelStore(() => clock.now())
  const pool = new InMemoryProviderCredentials(() => {
    clock.advance(1)
    return clock.now()
  })
  const health = new InProcessCredentialHealth(clock)
  const box = new AesGcmSecretBox(Buffer.alloc(32, 3))
  const audit = new InMemoryAuditLog()
  const draws: number[] = []
  const selector = new CredentialSelector(pool, health, box, clock, () => draws.shift() ?? 0, createLogger('silent'))
  const ids = new SequentialIds('pc')

  async function model(over: Partial<NewModelConfig> = {}, ownKey: string | null = OWN_KEY) {
    const id = over.id ?? `mc-${store.configs.size + 1}`
    return store.create({
      id,
      ownerId: null,
      providerKind: 'openai',
      baseUrl: 'http://upstream/v1',
      modelId: 'gpt-4o',
      displayName: id,
      alias: null,
      contextWindow: 8000,
      maxOutputTokens: 500,
      defaultParams: {},
      enabled: true,
      visibility: 'all',
      allowedUserIds: [],
      credential: ownKey ? { ...box.seal(ownKey, modelConfigAad(id)), hint: ownKey.slice(-4) } : null,
      ...over,
    })
  }

  return {
    clock,
    store,
    pool,
    health,
    box,
    audit,
    draws,
    selector,
    model,
    access: new ModelAccessService(store, box, selector),
    add: new AddPoolCredential(store, pool, box, ids, audit, clock),
    list: new ListPoolCredentials(store, pool, selector, clock),
    update: new UpdatePoolCredential(store, pool, selector, audit, clock),
    remove: new RemovePoolCredential(store, pool, audit),
  }
}
