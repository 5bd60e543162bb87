import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { OutboundAddressPolicy, type OutboundPolicyOptions } from '../../../src/shared/outbound/address-policy.ts'
import { CreateModelConfig } from '../../../src/features/models/create-model-config.use-case.ts'
import { DeleteModelConfig } from '../../../src/features/models/delete-model-config.use-case.ts'
import { ListModels } from '../../../src/features/models/list-models.use-case.ts'
import { ModelAccessService } from '../../../src/features/models/model-access.service.ts'
import type { ModelFields } from '../../../src/features/models/model-fields.ts'
import { ModelProbe } from '../../../src/features/models/model-probe.ts'
import { RotateApiKey } from '../../../src/features/models/rotate-api-key.use-case.ts'
import { RotateMasterKey } from '../../../src/features/models/rotate-master-key.use-case.ts'
import { InMemoryModelStore } from '../../../src/features/models/testing/in-memory-model-store.ts'
import { TestModelConfig } from '../../../src/features/models/test-model-config.use-case.ts'
import { UpdateModelConfig } from '../../../src/features/models/update-model-config.use-case.ts'
import {
  ProviderError,
  type AiProvider,
  type CompletionRequest,
  type ProviderErrorCode,
  type ProviderEvent,
} from '../../../src/features/providers/ai-provider.port.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { AesGcmSecretBox } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import type { SecretBox } from '../../../src/shared/crypto/secret-box.port.ts'
import { ManualClock, PassThroughUnitOfWork, SequentialIds } from '../../../src/shared/testing/fakes.ts'

export const OLD_KEY = Buffer.alloc(32, 1)
export const NEW_KEY = Buffer.alloc(32, 2)
export const SECRET = 'sk-unit-0123456789abcdefWXYZ'

export const alice: Actor = { userId: 'u-alice', username: 'alice', role: 'USER' }
export const bob: Actor = { userId: 'u-bob', username: 'bob', role: 'USER' }
export const root: Actor = { userId: 'u-root', username: 'root', role: 'ADMIN' }

export const providerError = (code: ProviderErrorCode, message: string, status = 401) =>
  new ProviderError(code, { provider: 'openai', status, retryable: false, providerMessage: message })

/** An AiProvider that records each request and answers with the next scripted behaviour (default: "OK"). */
export class ScriptedAiProvider implements AiProvider {
  readonly requests: CompletionRequest[] = []
  private readonly script: Array<(r: CompletionRequest) => ProviderEvent[]> = []
  constructor(private readonly clock?: ManualClock, private readonly latencyMs = 0) {}

  next(behaviour: (r: CompletionRequest) => ProviderEvent[]): void {
    this.script.push(behaviour)
  }
  fail(error: ProviderError): void {
    this.next(() => {
      throw error
    })
  }

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    this.requests.push(request)
    this.clock?.advance(this.latencyMs)
    const behaviour = this.script.shift() ?? (() => [{ type: 'delta', text: 'OK' }, { type: 'finish', reason: 'stop', rawReason: 'stop' }])
    yield* behaviour(request)
  }
}

export const fields = (over: Partial<ModelFields> = {}): ModelFields => ({ providerKind: 'openai', displayName: 'GPT-4o', modelId: 'gpt-4o', ...over })

/** Every models use case wired by hand to fakes. `box` can be swapped to simulate a new keyring. */
export async function modelsKit(options: { box?: SecretBox; outbound?: OutboundPolicyOptions } = {}) {
  const clock = new ManualClock()
  const store = new InMemoryModelStore(() => {
    clock.advance(1)
    return clock.now()
  })
  const users = new InMemoryUserRepository(() => clock.now())
  for (const a of [alice, bob, root]) await users.create({ id: a.userId, username: a.username, passwordHash: 'x', role: a.role })
  const audit = new InMemoryAuditLog()
  const box = options.box ?? new AesGcmSecretBox(OLD_KEY)
  const ai = new ScriptedAiProvider(clock, 42)
  const probe = new ModelProbe(ai, clock)
  const ids = new SequentialIds('mc')
  // The default: personal models may reach public addresses only.
  const outbound = new OutboundAddressPolicy(options.outbound)
  return {
    clock,
    store,
    users,
    audit,
    box,
    ai,
    create: new CreateModelConfig(store, box, users, ids, audit, undefined, outbound),
    update: new UpdateModelConfig(store, users, audit, outbound),
    remove: new DeleteModelConfig(store, audit),
    list: new ListModels(store),
    rotateApiKey: new RotateApiKey(store, box, probe, audit, new PassThroughUnitOfWork()),
    test: new TestModelConfig(store, box, probe),
    access: new ModelAccessService(store, box),
    rotateMasterKey: (withBox: SecretBox = box) => new RotateMasterKey(store, withBox, audit),
  }
}
export type ModelsKit = Awaited<ReturnType<typeof modelsKit>>
