import { ProviderError, type AiProvider, type AuthType, type CompletionRequest, type ProviderEvent } from './ai-provider.port.ts'
import { UpstreamBudget } from './upstream-budget.ts'

/**
 * One credential a request may go through: an upstream account, a pooled credential, or the model's
 * own key (credentialId null). ModelAccess's CredentialCandidate fits as it is.
 */
export interface FailoverCandidate {
  credentialId: string | null
  apiKey: string
  authType?: AuthType
  baseUrl?: string | null
  proxyUrl?: string | null
  projectId?: string | null
  /** OAuth: a usable access token; with `rejected`, one newer than that (refreshing once). */
  token?(rejected?: string): Promise<string>
}

/**
 * Where the credentials come from: ModelAccess's UsableModel fits as it is. Without `candidates`
 * (or with an empty list) the single `apiKey` is used, so a caller that knows nothing of pools
 * behaves as before.
 */
export interface FailoverTarget {
  apiKey: string
  candidates?: readonly FailoverCandidate[]
  /** Told about each candidate that failed in a way that is the credential's fault (it then cools down). Must not throw. */
  reportFailure?(candidate: FailoverCandidate, failure: ProviderError): void
  /** Told which candidate answered. Must not throw. */
  reportSuccess?(candidate: FailoverCandidate): void
}

/** What one attempt sends: the candidate's secret, auth type and route. */
export interface CandidateCall {
  apiKey: string
  authType: AuthType
  /** The candidate's endpoint, when it overrides the model's. */
  baseUrl?: string
  proxyUrl: string | null
  projectId: string | null
}

/** Failures that another credential may not have: a bad or unauthorised key (Gemini says so with a 400), a rate limit, an overload. */
const FAILOVER_CODES = new Set<string>(['PROVIDER_AUTH_FAILED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE'])

/**
 * Is the next candidate worth trying after `error`? Only for 401/403/429/5xx/529, a network or proxy
 * failure (status 0) or the same kinds of error reported inside a stream; never once the caller
 * gave up. A bad request or a too-long context would fail with every key: it is not failed over.
 * The caller guarantees nothing went downstream yet.
 */
export function failsOver(error: unknown, signal?: AbortSignal): error is ProviderError {
  if (signal?.aborted || !(error instanceof ProviderError)) return false
  const { status } = error
  if (status === 401 || status === 403 || status === 429 || status === 0 || status >= 500) return true
  return FAILOVER_CODES.has(error.code)
}

const isUnauthorized = (error: unknown): boolean => error instanceof ProviderError && error.status === 401 && !error.midStream

const candidatesOf = (target: FailoverTarget): readonly FailoverCandidate[] =>
  target.candidates?.length ? target.candidates : [{ credentialId: null, apiKey: target.apiKey }]

function tell(report: () => void): void {
  try {
    report()
  } catch {
    // Best-effort bookkeeping never changes the outcome of the call.
  }
}

const callOf = (candidate: FailoverCandidate, apiKey: string): CandidateCall => ({
  apiKey,
  authType: candidate.authType ?? 'api_key',
  ...(candidate.baseUrl ? { baseUrl: candidate.baseUrl } : {}),
  proxyUrl: candidate.proxyUrl ?? null,
  projectId: candidate.projectId ?? null,
})

/**
 * Runs `attempt` with one candidate. An OAuth candidate whose token the upstream refused (401
 * before anything went downstream) gets one renewed token and one more try, before any failover.
 */
async function withCandidate<T>(candidate: FailoverCandidate, attempt: (call: CandidateCall) => Promise<T>, mayRenew: () => boolean): Promise<T> {
  const secret = candidate.token ? await candidate.token() : candidate.apiKey
  try {
    return await attempt(callOf(candidate, secret))
  } catch (error) {
    if (!candidate.token || !isUnauthorized(error) || !mayRenew()) throw error
    return attempt(callOf(candidate, await candidate.token(secret)))
  }
}

/**
 * The one failover rule of chat, the relay's translation and its pass-through: try the candidates
 * in order; a failover-worthy ProviderError before anything went downstream (`started()` false)
 * cools that candidate down and tries the next one; anything else passes through unchanged. When
 * every candidate failed, or the call's budget has no attempt left, the last error is thrown.
 */
export async function runWithFailover<T>(
  attempt: (call: CandidateCall) => Promise<T>,
  target: FailoverTarget,
  options: { signal?: AbortSignal; started?: () => boolean; budget?: UpstreamBudget } = {},
): Promise<T> {
  const candidates = candidatesOf(target)
  const { budget } = options
  const pristine = () => !options.started?.() && !options.signal?.aborted && (!budget || budget.left)
  for (const [i, candidate] of candidates.entries()) {
    try {
      const result = await withCandidate(candidate, attempt, pristine)
      if (target.reportSuccess) tell(() => target.reportSuccess!(candidate))
      return result
    } catch (error) {
      if (options.started?.() || options.signal?.aborted || !failsOver(error, options.signal)) throw error
      if (target.reportFailure) tell(() => target.reportFailure!(candidate, error))
      if (i === candidates.length - 1 || !pristine()) throw error
    }
  }
  throw new Error('unreachable: a failover target always has a candidate')
}

/** A request as one candidate sends it. */
export const requestFor = <R extends Omit<CompletionRequest, 'apiKey'>>(request: R, call: CandidateCall): R & CompletionRequest => ({
  ...request,
  ...call,
  baseUrl: call.baseUrl ?? request.baseUrl,
})

/**
 * Streams from the first candidate that answers (see runWithFailover); once an event went out, any
 * error passes through unchanged (a second key would repeat text already sent).
 */
export async function* streamWithFailover(
  provider: AiProvider,
  request: Omit<CompletionRequest, 'apiKey'>,
  target: FailoverTarget,
): AsyncGenerator<ProviderEvent> {
  let started = false
  const budget = request.budget ?? new UpstreamBudget()
  // The first event is awaited inside the failover; the rest of the stream after it.
  const opened = await runWithFailover(
    async (call) => {
      const events = provider.stream({ ...requestFor(request, call), budget })[Symbol.asyncIterator]()
      const first = await events.next()
      return { events, first }
    },
    target,
    { signal: request.signal, started: () => started, budget },
  )
  const { events, first } = opened
  try {
    for (let next = first; !next.done; next = await events.next()) {
      started = true
      yield next.value
    }
  } finally {
    // No-op after the end; otherwise (the consumer left early) it closes the upstream connection.
    await events.return?.(undefined)
  }
}

/**
 * The same rule for calls that resolve once the provider accepted the request (the relay's
 * pass-through): `open(call)` must resolve before any byte goes downstream.
 */
export function openWithFailover<T>(open: (call: CandidateCall) => Promise<T>, target: FailoverTarget, signal?: AbortSignal, budget?: UpstreamBudget): Promise<T> {
  return runWithFailover(open, target, { signal, budget })
}
