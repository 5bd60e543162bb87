import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent } from './ai-provider.port.ts'
import type { UpstreamBudget } from './upstream-budget.ts'

export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  maxAttempts?: number
  /** Backoff for attempt n (1-based) is random() * min(maxDelayMs, baseDelayMs * 2^(n-1)). */
  baseDelayMs?: number
  maxDelayMs?: number
  /** A retry-after longer than this is not waited for: the error is thrown so the caller can fail over. */
  maxRetryAfterMs?: number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void
}

const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/**
 * The retry rule shared by every path to a provider (chat streams, relay pass-through): retry a
 * retryable ProviderError with exponential backoff and full jitter; a provider's retry-after is a
 * lower bound, and one longer than maxRetryAfterMs is not waited for (the caller can fail over).
 */
export function retryPlan(options: RetryOptions = {}) {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3)
  const baseDelayMs = options.baseDelayMs ?? 500
  const maxDelayMs = options.maxDelayMs ?? 8_000
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 20_000
  const random = options.random ?? Math.random
  return {
    sleep: options.sleep ?? abortableSleep,
    /**
     * Milliseconds to wait before the next attempt, or undefined: do not retry (also when the call's
     * budget has no attempt left, or its deadline would pass while waiting).
     */
    delayBeforeRetry(error: unknown, attempt: number, signal?: AbortSignal, budget?: UpstreamBudget): number | undefined {
      if (signal?.aborted || attempt >= maxAttempts || (budget && !budget.left)) return undefined
      if (!(error instanceof ProviderError) || !error.retryable) return undefined
      const backoff = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
      const retryAfterMs = (error.retryAfterSeconds ?? 0) * 1000
      if (retryAfterMs > maxRetryAfterMs) return undefined
      const delayMs = Math.max(backoff, retryAfterMs)
      return budget?.expiresWithin(delayMs) ? undefined : delayMs
    },
  }
}

/**
 * Retries only while no event has been yielded: once text went downstream, a retry would
 * duplicate it, so later errors pass through untouched.
 */
export class RetryingAiProvider implements AiProvider {
  private readonly plan: ReturnType<typeof retryPlan>

  constructor(
    private readonly inner: AiProvider,
    private readonly options: RetryOptions = {},
  ) {
    this.plan = retryPlan(options)
  }

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    for (let attempt = 1; ; attempt++) {
      let yielded = false
      try {
        for await (const event of this.inner.stream(request)) {
          yielded = true
          yield event
        }
        return
      } catch (error) {
        const delayMs = yielded ? undefined : this.plan.delayBeforeRetry(error, attempt, request.signal, request.budget)
        if (delayMs === undefined || !(error instanceof ProviderError)) throw error
        this.options.onRetry?.({ attempt, delayMs, error })
        await this.plan.sleep(delayMs, request.signal)
      }
    }
  }
}
