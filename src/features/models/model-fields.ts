import { defaultBaseUrl, findKnownModel } from '../providers/provider-catalog.ts'
import type { UserRepository } from '../users/user.repository.port.ts'
import type { DefaultParams, ModelScope, ProviderKind, Visibility } from './model-config.ts'
import type { OutboundPolicy } from '../../shared/outbound/outbound-transport.port.ts'
import { aliasProblems, baseUrlProblems, personalBaseUrlProblems } from './model-rules.ts'
import type { FieldProblem } from './models.errors.ts'

/** The editable fields of a model config, as they arrive from the edge (already schema-checked). */
export interface ModelFields {
  providerKind: ProviderKind
  displayName: string
  modelId: string
  baseUrl?: string
  alias?: string | null
  contextWindow?: number
  maxOutputTokens?: number
  defaultParams?: DefaultParams
  enabled?: boolean
  /** System models only. */
  visibility?: Visibility
  /** System models only; consulted when visibility is 'users'. */
  allowedUserIds?: string[]
}

/** Trailing slashes go, so adapters can append their paths. */
export const normalizeBaseUrl = (url: string): string => url.trim().replace(/\/+$/, '')

/** The endpoint of a new config: given, else the known vendor's (DeepSeek...), else the kind's default. */
export function baseUrlFor(kind: ProviderKind, modelId: string, given?: string): string {
  if (given !== undefined) return normalizeBaseUrl(given)
  const known = findKnownModel(modelId)
  return known?.provider === kind && known.baseUrl ? known.baseUrl : defaultBaseUrl(kind)
}

/**
 * Rules shared by create and update that need no database. A personal model's base URL must also
 * not name an address the outbound policy refuses (IP literals, localhost, metadata hosts).
 */
export function fieldProblems(fields: Partial<ModelFields>, scope: ModelScope, outbound?: Pick<OutboundPolicy, 'hostRefusal'>): FieldProblem[] {
  const problems: FieldProblem[] = []
  if (fields.baseUrl !== undefined) {
    const shape = baseUrlProblems(fields.baseUrl)
    problems.push(...shape)
    if (!shape.length && scope === 'personal' && outbound) problems.push(...personalBaseUrlProblems(fields.baseUrl, outbound))
  }
  problems.push(...aliasProblems(fields.alias))
  if (scope === 'personal') {
    if (fields.visibility !== undefined) problems.push({ path: 'visibility', message: 'applies to system models only' })
    if (fields.allowedUserIds !== undefined) problems.push({ path: 'allowedUserIds', message: 'applies to system models only' })
  }
  return problems
}

/** The listed users must exist (a typo would otherwise silently lock someone out). Returns the deduplicated list. */
export async function checkAllowedUsers(users: UserRepository, ids: string[]): Promise<{ ids: string[]; problems: FieldProblem[] }> {
  const unique = [...new Set(ids)]
  const found = await Promise.all(unique.map((id) => users.findById(id)))
  const missing = unique.filter((_id, i) => !found[i])
  const problems = missing.length ? [{ path: 'allowedUserIds', message: `unknown user id(s): ${missing.join(', ')}` }] : []
  return { ids: unique, problems }
}
