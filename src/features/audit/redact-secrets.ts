/**
 * Defence in depth: AuditEntry metadata must never hold a secret, but if a caller slips, the value
 * is replaced before it is stored. A key is secret-looking when, ignoring case, `_` and `-`, it
 * contains password/passwd/secret/authorization/cookie or ends in key/token (apiKey, x-api-key,
 * accessToken). Counters such as `tokensPerDay` or `maxTokens` and ids such as `apiKeyId` stay.
 */
export const REDACTED = '[redacted]'

const CONTAINS = /(password|passwd|secret|authorization|cookie)/
const ENDS_WITH = /(key|token)$/
const MAX_DEPTH = 10

export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[_\-\s.]/g, '')
  return CONTAINS.test(normalised) || ENDS_WITH.test(normalised)
}

export function redactSecrets(metadata: Record<string, unknown>): Record<string, unknown> {
  return redactObject(metadata, 0)
}

function redactObject(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isSecretKey(key) ? REDACTED : redactValue(inner, depth + 1)]),
  )
}

function redactValue(value: unknown, depth: number): unknown {
  // Anything nested deeper than any real metadata is dropped rather than walked.
  if (depth > MAX_DEPTH) return REDACTED
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1))
  if (value && typeof value === 'object' && !(value instanceof Date)) return redactObject(value as Record<string, unknown>, depth)
  return value
}
