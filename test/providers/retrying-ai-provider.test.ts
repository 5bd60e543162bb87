import { describe, expect, it } from 'vitest'
import {
  ProviderError, type AiProvider, type CompletionRequest, type ProviderErrorCode, type ProviderEvent,
} from '../../src/features/providers/ai-provider.port.ts'
import { RetryingAiProvider, type RetryOptions } from '../../src/features/providers/retrying-ai-provider.ts'

const request: CompletionRequest = {
  provider: 'openai', baseUrl: 'http://unused', apiKey: 'k', model: 'm', messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 10,
}

const fail = (code: ProviderErrorCode, retryable: boolean, retryAfterSeconds?: number) =>
  new ProviderError(code, { provider: 'openai', status: 503, retryable, providerMessage: 'nope', retryAfterSeconds })

const ok: ProviderEvent[] = [{ type: 'delta', text: 'hi' }, { type: 'finish', reason: 'stop', rawReason: 'stop' }]

type Step = { events?: ProviderEvent[]; error?: unknown }

/** An inner provider that plays one scripted attempt per call. */
function scripted(steps: Step[]): AiProvider & { calls: number } {
  const fake = {
    calls: 0,
    async *stream(): AsyncGenerator<ProviderEvent> {
      const step = steps[fake.calls++] ?? { events: ok }
      yield* step.events ?? []
      if (step.error) throw step.error
    },
  }
  return fake
}

function retrying(inner: AiProvider, options: RetryOptions = {}) {
  const sleeps: number[] = []
  const provider = new RetryingAiProvider(inner, {
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
    ...options,
  })
  return { provider, sleeps }
}

async function run(provider: AiProvider, req = request) {
  const events: ProviderEvent[] = []
  try {
    for await (const e of provider.stream(req)) events.push(e)
    return { events, error: undefined }
  } catch (error) {
    return { events, error }
  }
}

describe('RetryingAiProvider', () => {
  it('retries retryable errors before the first event with exponential backoff and full jitter', async () => {
    const inner = scripted([{ error: fail('PROVIDER_UNAVAILABLE', true) }, { error: fail('PROVIDER_UNAVAILABLE', true) }])
    const { provider, sleeps } = retrying(inner, { maxAttempts: 3, baseDelayMs: 100 })
    const { events, error } = await run(provider)
    expect(error).toBeUndefined()
    expect(events).toEqual(ok)
    expect(inner.calls).toBe(3)
    expect(sleeps).toEqual([50, 100]) // 0.5 * 100, 0.5 * 200
  })

  it('caps the backoff at maxDelayMs', async () => {
    const inner = scripted(Array.from({ length: 5 }, () => ({ error: fail('PROVIDER_UNAVAILABLE', true) })))
    const { provider, sleeps } = retrying(inner, { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 3_000, random: () => 1 })
    await run(provider)
    expect(sleeps).toEqual([1_000, 2_000, 3_000, 3_000, 3_000])
  })

  it('waits at least the retry-after the provider asked for', async () => {
    const inner = scripted([{ error: fail('PROVIDER_RATE_LIMITED', true, 4) }])
    const { provider, sleeps } = retrying(inner)
    expect((await run(provider)).error).toBeUndefined()
    expect(sleeps).toEqual([4_000])
  })

  it('gives up at once when retry-after exceeds the cap, so the caller can fail over', async () => {
    const error = fail('PROVIDER_RATE_LIMITED', true, 60)
    const inner = scripted([{ error }])
    const { provider, sleeps } = retrying(inner, { maxRetryAfterMs: 10_000 })
    expect((await run(provider)).error).toBe(error)
    expect(sleeps).toEqual([])
    expect(inner.calls).toBe(1)
  })

  it('does not retry non-retryable errors or foreign errors', async () => {
    for (const error of [fail('PROVIDER_AUTH_FAILED', false), fail('CONTEXT_TOO_LONG', false), new TypeError('bug')]) {
      const inner = scripted([{ error }])
      const { provider } = retrying(inner)
      expect((await run(provider)).error).toBe(error)
      expect(inner.calls).toBe(1)
    }
  })

  it('does not retry once an event has been yielded', async () => {
    const error = fail('PROVIDER_UNAVAILABLE', true)
    const inner = scripted([{ events: [{ type: 'delta', text: 'par' }], error }])
    const { provider } = retrying(inner)
    const result = await run(provider)
    expect(result.events).toEqual([{ type: 'delta', text: 'par' }])
    expect(result.error).toBe(error)
    expect(inner.calls).toBe(1)
  })

  it('gives up after maxAttempts and throws the last error', async () => {
    const errors = [1, 2, 3].map(() => fail('PROVIDER_UNAVAILABLE', true))
    const inner = scripted(errors.map((error) => ({ error })))
    const { provider, sleeps } = retrying(inner, { maxAttempts: 3 })
    expect((await run(provider)).error).toBe(errors[2])
    expect(inner.calls).toBe(3)
    expect(sleeps).toHaveLength(2)
  })

  it('stops retrying when the request is aborted, including during the backoff sleep', async () => {
    const controller = new AbortController()
    const inner = scripted([{ error: fail('PROVIDER_UNAVAILABLE', true) }, { error: fail('PROVIDER_UNAVAILABLE', true) }])
    const provider = new RetryingAiProvider(inner, { baseDelayMs: 10_000, random: () => 1 })
    setTimeout(() => controller.abort(), 20)
    const started = Date.now()
    const { error } = await run(provider, { ...request, signal: controller.signal })
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(inner.calls).toBe(1)
  })

  it('reports each retry', async () => {
    const seen: number[] = []
    const inner = scripted([{ error: fail('PROVIDER_UNAVAILABLE', true) }])
    const { provider } = retrying(inner, { onRetry: ({ attempt }) => seen.push(attempt) })
    await run(provider)
    expect(seen).toEqual([1])
  })
})
