import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent } from './ai-provider.port.ts'

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
 * Retries retryable ProviderErrors with exponential backoff and full jitter, but only while no
 * event has been yielded: once text went downstream, a retry would duplicate it, so later
 * errors pass through untouched. A provider's retry-after is a lower bound on the wait.
 */
export class RetryingAiProvider implements AiProvider {
  private readonly maxAttempts: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly maxRetryAfterMs: number
  private readonly sleep: NonNullable<RetryOptions['sleep']>
  private readonly random: () => number

  constructor(
    private readonly inner: AiProvider,
    private readonly options: RetryOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3)
    this.baseDelayMs = options.baseDelayMs ?? 500
    this.maxDelayMs = options.maxDelayMs ?? 8_000
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 20_000
    this.sleep = options.sleep ?? abortableSleep
    this.random = options.random ?? Math.random
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
        const delayMs = this.delayBeforeRetry(error, attempt, yielded, request.signal)
        if (delayMs === undefined || !(error instanceof ProviderError)) throw error
        this.options.onRetry?.({ attempt, delayMs, error })
        await this.sleep(delayMs, request.signal)
      }
    }
  }

  /** undefined: do not retry. */
  private delayBeforeRetry(error: unknown, attempt: number, yielded: boolean, signal?: AbortSignal): number | undefined {
    if (yielded || signal?.aborted || attempt >= this.maxAttempts) return undefined
    if (!(error instanceof ProviderError) || !error.retryable) return undefined
    const backoff = this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1))
    const retryAfterMs = (error.retryAfterSeconds ?? 0) * 1000
    if (retryAfterMs > this.maxRetryAfterMs) return undefined
    return Math.max(backoff, retryAfterMs)
  }
}
