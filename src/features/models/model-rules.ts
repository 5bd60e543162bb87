import type { OutboundPolicy } from '../../shared/outbound/outbound-transport.port.ts'
import { findKnownModel } from '../providers/provider-catalog.ts'
import type { FieldProblem } from './models.errors.ts'

/** Pure input rules a schema cannot express. Each returns the problems it finds (empty: fine). */

export const MAX_API_KEY_LENGTH = 4096
export const ALIAS_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/

/**
 * http(s) only, no user:password@ part (the key goes in a header, never in the URL), no query (the
 * adapters append their paths: `?x=` would turn them into a query and reach whatever path precedes
 * it), no fragment.
 */
export function baseUrlProblems(raw: string, path = 'baseUrl'): FieldProblem[] {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return [{ path, message: 'must be an absolute http(s) URL' }]
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [{ path, message: 'must use http or https' }]
  if (url.username || url.password) return [{ path, message: 'must not contain credentials; send the key as apiKey' }]
  if (url.search || raw.includes('?')) return [{ path, message: 'must not contain a ?query' }]
  if (url.hash || raw.includes('#')) return [{ path, message: 'must not contain a #fragment' }]
  return []
}

/**
 * A personal model's endpoint, as far as its text tells: an IP literal or a name (localhost, a
 * metadata host) the outbound address policy refuses. Names that only resolving can judge pass;
 * the transport checks every resolved address when it connects.
 */
export function personalBaseUrlProblems(raw: string, policy: Pick<OutboundPolicy, 'hostRefusal'>, path = 'baseUrl'): FieldProblem[] {
  let host: string
  try {
    host = new URL(raw.trim()).hostname
  } catch {
    return [] // baseUrlProblems reports it
  }
  const refusal = policy.hostRefusal(host)
  return refusal ? [{ path, message: `${refusal.message}; an administrator can allow it` }] : []
}

/** Trims the key; refuses whitespace or control characters inside (they would corrupt the auth header). */
export function normalizeApiKey(raw: string): { apiKey: string; problems: FieldProblem[] } {
  const apiKey = raw.trim()
  if (apiKey === '') return { apiKey, problems: [{ path: 'apiKey', message: 'must not be empty' }] }
  if (apiKey.length > MAX_API_KEY_LENGTH) return { apiKey, problems: [{ path: 'apiKey', message: `must be at most ${MAX_API_KEY_LENGTH} characters` }] }
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(apiKey)) return { apiKey, problems: [{ path: 'apiKey', message: 'must not contain spaces or control characters' }] }
  return { apiKey, problems: [] }
}

export function aliasProblems(alias: string | null | undefined): FieldProblem[] {
  if (alias === null || alias === undefined) return []
  return ALIAS_PATTERN.test(alias) ? [] : [{ path: 'alias', message: 'must be 1-64 characters: letters, digits, ".", "_", ":", "/" or "-"' }]
}

export interface Limits {
  contextWindow: number
  maxOutputTokens: number
}

/**
 * Limits for a new config: what the caller gave, else the built-in table of known models. An unknown
 * model without limits is refused (a guessed default would silently cut or overflow contexts).
 */
export function resolveLimits(modelId: string, given: Partial<Limits>): { limits?: Limits; problems: FieldProblem[] } {
  const known = findKnownModel(modelId)
  const contextWindow = given.contextWindow ?? known?.contextWindow
  const maxOutputTokens = given.maxOutputTokens ?? known?.maxOutputTokens
  const problems: FieldProblem[] = []
  const unknown = `is required: "${modelId}" is not in the table of known models`
  if (contextWindow === undefined) problems.push({ path: 'contextWindow', message: unknown })
  if (maxOutputTokens === undefined) problems.push({ path: 'maxOutputTokens', message: unknown })
  if (contextWindow === undefined || maxOutputTokens === undefined) return { problems }
  const limits = { contextWindow, maxOutputTokens }
  return { limits, problems: limitsProblems(limits) }
}

export function limitsProblems({ contextWindow, maxOutputTokens }: Limits): FieldProblem[] {
  return maxOutputTokens > contextWindow ? [{ path: 'maxOutputTokens', message: `must not exceed contextWindow (${contextWindow})` }] : []
}
