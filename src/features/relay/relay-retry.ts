import { ProviderError } from '../providers/ai-provider.port.ts'
import { retryPlan, type RetryOptions } from '../providers/retrying-ai-provider.ts'
import type { UpstreamBudget } from '../providers/upstream-budget.ts'

/**
 * retryPlan's rule for the pass-through path, which has no event stream to wrap: retry a
 * retryable ProviderError with exponential backoff and full jitter (the provider's retry-after is
 * a lower bound, and one longer than maxRetryAfterMs is returned to the client instead). `open`
 * resolves once the provider answered 2xx, i.e. before any byte went downstream.
 */
export async function openWithRetries<T>(open: () => Promise<T>, options: RetryOptions, signal?: AbortSignal, budget?: UpstreamBudget): Promise<T> {
  const plan = retryPlan(options)
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      const delayMs = plan.delayBeforeRetry(error, attempt, signal, budget)
      if (delayMs === undefined || !(error instanceof ProviderError)) throw error
      options.onRetry?.({ attempt, delayMs, error })
      await plan.sleep(delayMs, signal)
    }
  }
}
