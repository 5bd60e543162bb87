import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { CredentialHealth } from '../models/credential-health.port.ts'
import { AccountNotFound, auditAction, InvalidAccountInput, type AccountProblem } from './account-admin.errors.ts'
import { baseUrlProblems, MAX_ACCOUNT_WEIGHT, MIN_ACCOUNT_WEIGHT, normalizeBaseUrl, proxyProblems, sealProxy, sealSecrets, secretProblems } from './account-input.ts'
import { accountView, type AccountView } from './account-view.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import { MAX_PRIORITY, MIN_PRIORITY, secretHint, type AccountChanges } from './upstream-account.ts'

export interface AccountPatch {
  name?: string
  /** null: back to the provider kind's default endpoint. */
  baseUrl?: string | null
  /** null: no proxy any more (direct). */
  proxyUrl?: string | null
  priority?: number
  weight?: number
  /** false: disabled. true: a disabled account is active again (other statuses are left to reset). */
  enabled?: boolean
  /** api_key accounts only: the new key. */
  apiKey?: string
  /** gemini accounts only: the Google Cloud project for Code Assist; null: none. */
  projectId?: string | null
}

export interface UpdateAccountInput {
  actor: Actor
  accountId: string
  changes: AccountPatch
}

/** Admin: changes an account's settings, switches it on or off, or rotates its API key. */
@injectable()
export class UpdateAccount {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(CredentialHealth) private readonly health: CredentialHealth,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, accountId, changes: patch }: UpdateAccountInput): Promise<AccountView> {
    const account = await this.accounts.findById(accountId)
    if (!account) throw new AccountNotFound()

    const problems: AccountProblem[] = []
    if (patch.name !== undefined && patch.name.trim() === '') problems.push({ path: 'name', message: 'must not be empty' })
    if (patch.baseUrl) problems.push(...baseUrlProblems(patch.baseUrl))
    if (patch.proxyUrl) problems.push(...proxyProblems(patch.proxyUrl))
    if (patch.priority !== undefined && !(Number.isInteger(patch.priority) && patch.priority >= MIN_PRIORITY && patch.priority <= MAX_PRIORITY)) {
      problems.push({ path: 'priority', message: `must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}` })
    }
    if (patch.weight !== undefined && !(Number.isInteger(patch.weight) && patch.weight >= MIN_ACCOUNT_WEIGHT && patch.weight <= MAX_ACCOUNT_WEIGHT)) {
      problems.push({ path: 'weight', message: `must be an integer from ${MIN_ACCOUNT_WEIGHT} to ${MAX_ACCOUNT_WEIGHT}` })
    }
    if (patch.apiKey !== undefined) {
      if (account.authType !== 'api_key') problems.push({ path: 'apiKey', message: 'applies to api_key accounts only; authorize an OAuth account again instead' })
      else problems.push(...secretProblems(patch.apiKey, 'apiKey'))
    }
    if (patch.projectId && account.providerKind !== 'gemini') problems.push({ path: 'projectId', message: 'applies to gemini accounts only' })
    if (problems.length) throw new InvalidAccountInput(problems)

    const changes: AccountChanges = {}
    const audited: Record<string, unknown> = {}
    if (patch.name !== undefined) changes.name = audited.name = patch.name.trim()
    if (patch.baseUrl !== undefined) changes.baseUrl = audited.baseUrl = patch.baseUrl ? normalizeBaseUrl(patch.baseUrl) : null
    if (patch.proxyUrl !== undefined) {
      const { proxy, proxyDisplay } = sealProxy(this.box, account.id, patch.proxyUrl)
      changes.proxy = proxy
      changes.proxyDisplay = audited.proxy = proxyDisplay
    }
    if (patch.priority !== undefined) changes.priority = audited.priority = patch.priority
    if (patch.projectId !== undefined) changes.projectId = audited.projectId = patch.projectId?.trim() || null
    if (patch.weight !== undefined) changes.weight = audited.weight = patch.weight
    if (patch.enabled === false && account.status !== 'disabled') {
      Object.assign(changes, { status: 'disabled', statusReason: null, statusUntil: null })
      audited.enabled = false
    }
    if (patch.enabled === true && account.status === 'disabled') {
      Object.assign(changes, { status: 'active', statusReason: null, statusUntil: null })
      audited.enabled = true
    }
    if (patch.apiKey !== undefined) {
      const apiKey = patch.apiKey.trim()
      changes.secret = sealSecrets(this.box, account.id, { apiKey })
      changes.hint = audited.hint = secretHint(apiKey)
      audited.apiKeyRotated = true
    }
    if (Object.keys(changes).length === 0) return accountView(account, await this.accounts.modelsOf(account.id))

    const updated = await this.accounts.update(account.id, changes)
    if (!updated) throw new AccountNotFound()
    // A new key or a re-enabled account starts without the old key's cooldown.
    if (patch.apiKey !== undefined || audited.enabled === true) await this.health.clear(account.id)
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.updated'),
      targetType: 'upstream_account',
      targetId: account.id,
      metadata: { name: updated.name, providerKind: updated.providerKind, authType: updated.authType, changes: audited, fromStatus: account.status, status: updated.status },
    })
    return accountView(updated, await this.accounts.modelsOf(account.id))
  }
}
