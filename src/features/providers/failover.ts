import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent } from './ai-provider.port.ts'

/** One key a request may go through: a pooled credential, or the model's own key (credentialId null). */
export interface FailoverCandidate {
  credentialId: string | null
  apiKey: string
}

/**
 * Where the keys come from: ModelAccess's UsableModel fits as it is. Without `candidates` (or with an
 * empty list) the single `apiKey` is used, so a caller that knows nothing of pools behaves as before.
 */
export interface FailoverTarget {
  apiKey: string
  candidates?: readonly FailoverCandidate[]
  /** Told about each candidate that failed in a way that is the key's fault (it then cools down). Must not throw. */
  reportFailure?(candidate: FailoverCandidate, failure: ProviderError): void
}

/** Failures that another key may not have: a bad or unauthorised key (Gemini says so with a 400), a rate limit, an overload. */
const FAILOVER_CODES = new Set<string>(['PROVIDER_AUTH_FAILED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE'])

/**
 * Is the next candidate worth trying after `error`? Only for 401/403/429/5xx/529, a network failure
 * (status 0) or the same kinds of error reported inside a stream; never once the caller gave up.
 * A bad request or a too-long context would fail with every key: it is not failed over.
 * The caller guarantees nothing went downstream yet.
 */
export function failsOver(error: unknown, signal?: AbortSignal): error is ProviderError {
  if (signal?.aborted || !(error instanceof ProviderError)) return false
  const { status } = error
  if (status === 401 || status === 403 || status === 429 || status === 0 || status >= 500) return true
  return FAILOVER_CODES.has(error.code)
}

const candidatesOf = (target: FailoverTarget): readonly FailoverCandidate[] =>
  target.candidates?.length ? target.candidates : [{ credentialId: null, apiKey: target.apiKey }]

function report(target: FailoverTarget, candidate: FailoverCandidate, error: ProviderError): void {
  try {
    target.reportFailure?.(candidate, error)
  } catch {
    // Best-effort bookkeeping never changes the outcome of the call.
  }
}

/**
 * Streams from the first candidate that answers. A failover-worthy ProviderError BEFORE the first
 * event cools that candidate down and tries the next one; once an event went out, any error passes
 * through unchanged (a second key would repeat text already sent). When every candidate failed,
 * the last error is thrown. `request.apiKey`, if present, is replaced by each candidate's key.
 */
export async function* streamWithFailover(
  provider: AiProvider,
  request: Omit<CompletionRequest, 'apiKey'>,
  target: FailoverTarget,
): AsyncGenerator<ProviderEvent> {
  const candidates = candidatesOf(target)
  for (const [i, candidate] of candidates.entries()) {
    let started = false
    try {
      for await (const event of provider.stream({ ...request, apiKey: candidate.apiKey })) {
        started = true
        yield event
      }
      return
    } catch (error) {
      if (started || !failsOver(error, request.signal)) throw error
      report(target, candidate, error)
      if (i === candidates.length - 1) throw error
    }
  }
}

/**
 * The same rule for calls that resolve once the provider accepted the request (the relay's
 * pass-through): `open(apiKey)` must resolve before any byte goes downstream.
 */
export async function openWithFailover<T>(open: (apiKey: string) => Promise<T>, target: FailoverTarget, signal?: AbortSignal): Promise<T> {
  const candidates = candidatesOf(target)
  for (const [i, candidate] of candidates.entries()) {
    try {
      return await open(candidate.apiKey)
    } catch (error) {
      if (!failsOver(error, signal)) throw error
      report(target, candidate, error)
      if (i === candidates.length - 1) throw error
    }
  }
  throw new Error('unreachable: a failover target always has a candidate')
}
