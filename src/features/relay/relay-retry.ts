import { ProviderError } from '../providers/ai-provider.port.ts'
import type { RetryOptions } from '../providers/retrying-ai-provider.ts'

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
 * RetryingAiProvider's rule for the pass-through path, which has no event stream to wrap: retry a
 * retryable ProviderError with exponential backoff and full jitter (the provider's retry-after is
 * a lower bound, and one longer than maxRetryAfterMs is returned to the client instead). `open`
 * resolves once the provider answered 2xx, i.e. before any byte went downstream.
 */
export async function openWithRetries<T>(open: () => Promise<T>, options: RetryOptions, signal?: AbortSignal): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3)
  const baseDelayMs = options.baseDelayMs ?? 500
  const maxDelayMs = options.maxDelayMs ?? 8_000
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 20_000
  const sleep = options.sleep ?? abortableSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || signal?.aborted || attempt >= maxAttempts) throw error
      const retryAfterMs = (error.retryAfterSeconds ?? 0) * 1000
      if (retryAfterMs > maxRetryAfterMs) throw error
      const delayMs = Math.max(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), retryAfterMs)
      options.onRetry?.({ attempt, delayMs, error })
      await sleep(delayMs, signal)
    }
  }
}
