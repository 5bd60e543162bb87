import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { Forbidden } from '../../shared/errors.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { OutboundAddressPolicy } from '../../shared/outbound/address-policy.ts'
import { OutboundPolicy } from '../../shared/outbound/outbound-transport.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { AccountPools, badAccountIdsProblem, distinctIds, NO_ACCOUNT_POOLS } from './account-pools.port.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { credentialHint, modelConfigAad, type ModelScope, type StoredCredential } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { baseUrlFor, checkAllowedUsers, fieldProblems, type ModelFields } from './model-fields.ts'
import { normalizeApiKey, resolveLimits } from './model-rules.ts'
import { modelView, type ModelView } from './model-view.ts'
import { InvalidModelConfig } from './models.errors.ts'

export interface CreateModelConfigInput {
  actor: Actor
  /** personal: owned by the actor; system: admins only. */
  scope: ModelScope
  fields: ModelFields
  /** Optional: keyless OpenAI-compatible endpoints (Ollama, LM Studio) need none. */
  apiKey?: string
  /** System models: the upstream accounts of its pool (of its provider kind). */
  accountIds?: string[]
}

@injectable()
export class CreateModelConfig {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(AccountPools) private readonly pools: AccountPools = NO_ACCOUNT_POOLS,
    @inject(OutboundPolicy) private readonly outbound: OutboundPolicy = new OutboundAddressPolicy(),
  ) {}

  async execute({ actor, scope, fields, apiKey: rawKey, accountIds: rawAccountIds }: CreateModelConfigInput): Promise<ModelView> {
    if (scope === 'system' && !isAdmin(actor)) throw new Forbidden('Administrator role required')
    const problems = fieldProblems(fields, scope, this.outbound)
    const { limits, problems: limitProblems } = resolveLimits(fields.modelId, fields)
    problems.push(...limitProblems)
    const key = rawKey === undefined ? undefined : normalizeApiKey(rawKey)
    if (key) problems.push(...key.problems)
    const allowed = await checkAllowedUsers(this.users, fields.allowedUserIds ?? [])
    problems.push(...allowed.problems)
    const accountIds = distinctIds(rawAccountIds ?? [])
    if (accountIds.length && scope === 'personal') problems.push({ path: 'accountIds', message: 'applies to system models only' })
    else if (accountIds.length) {
      const bad = await this.pools.invalidIds(fields.providerKind, accountIds)
      if (bad.length) problems.push(badAccountIdsProblem(fields.providerKind, bad))
    }
    if (problems.length || !limits) throw new InvalidModelConfig(problems)

    const id = this.ids.next()
    // Sealed before the insert: the id is ours, so the ciphertext is bound to its row from the start.
    const credential: StoredCredential | null = key ? { ...this.box.seal(key.apiKey, modelConfigAad(id)), hint: credentialHint(key.apiKey) } : null
    const created = await this.configs.create({
      id,
      ownerId: scope === 'personal' ? actor.userId : null,
      providerKind: fields.providerKind,
      baseUrl: baseUrlFor(fields.providerKind, fields.modelId, fields.baseUrl),
      modelId: fields.modelId,
      displayName: fields.displayName,
      alias: fields.alias ?? null,
      ...limits,
      defaultParams: fields.defaultParams ?? {},
      enabled: fields.enabled ?? true,
      visibility: fields.visibility ?? 'all',
      allowedUserIds: allowed.ids,
      credential,
    })
    if (accountIds.length) {
      try {
        await this.pools.replace(id, accountIds)
      } catch (error) {
        // An account deleted since the check: no half-made model stays behind.
        await this.configs.delete(id).catch(() => undefined)
        throw error
      }
    }
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.created',
      targetType: 'model_config',
      targetId: id,
      metadata: {
        scope,
        providerKind: created.providerKind,
        modelId: created.modelId,
        withCredential: !!credential,
        credentialHint: credential?.hint ?? null,
        ...(accountIds.length ? { accountIds } : {}),
      },
    })
    return modelView(created, actor, scope === 'system' ? accountIds : undefined)
  }
}
