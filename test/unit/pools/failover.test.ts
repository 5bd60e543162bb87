import { describe, expect, it } from 'vitest'
import { ProviderError, type AiProvider, type CompletionRequest, type ProviderErrorCode, type ProviderEvent } from '../../../src/features/providers/ai-provider.port.ts'
import { openWithFailover, streamWithFailover, type FailoverCandidate, type FailoverTarget } from '../../../src/features/providers/failover.ts'

const err = (code: ProviderErrorCode, status: number, extra: { midStream?: boolean; retryAfterSeconds?: number } = {}) =>
  new ProviderError(code, { provider: 'anthropic', status, retryable: true, providerMessage: `upstream said ${status}`, ...extra })

type Step = ProviderEvent | Error
const delta = (text: string): ProviderEvent => ({ type: 'delta', text })
const finish: ProviderEvent = { type: 'finish', reason: 'stop', rawReason: 'end_turn' }

/** A provider that plays one script per API key and records which keys it was called with. */
function fakeProvider(scripts: Record<string, Step[]>) {
  const calls: string[] = []
  const provider: AiProvider = {
    async *stream(request: CompletionRequest) {
      calls.push(request.apiKey)
      for (const step of scripts[request.apiKey] ?? [delta('ok'), finish]) {
        if (step instanceof Error) throw step
        yield step
      }
    },
  }
  return { provider, calls }
}

const request = { provider: 'anthropic' as const, baseUrl: 'http://upstream', model: 'claude', messages: [{ role: 'user' as const, content: 'hi' }], maxOutputTokens: 100 }
const candidates: FailoverCandidate[] = [
  { credentialId: null, apiKey: 'own' },
  { credentialId: 'c1', apiKey: 'k1' },
  { credentialId: 'c2', apiKey: 'k2' },
]

function target(list = candidates) {
  const failures: { credentialId: string | null; status: number }[] = []
  const t: FailoverTarget = { apiKey: list[0]?.apiKey ?? '', candidates: list, reportFailure: (c, e) => void failures.push({ credentialId: c.credentialId, status: e.status }) }
  return { t, failures }
}

async function collect(events: AsyncIterable<ProviderEvent>) {
  const seen: ProviderEvent[] = []
  try {
    for await (const e of events) seen.push(e)
    return { seen }
  } catch (error) {
    return { seen, error }
  }
}

describe('streamWithFailover', () => {
  it.each([
    ['401', err('PROVIDER_AUTH_FAILED', 401)],
    ['403', err('PROVIDER_AUTH_FAILED', 403)],
    ['Gemini 400 bad key', err('PROVIDER_AUTH_FAILED', 400)],
    ['429', err('PROVIDER_RATE_LIMITED', 429, { retryAfterSeconds: 30 })],
    ['500', err('PROVIDER_UNAVAILABLE', 500)],
    ['503', err('PROVIDER_UNAVAILABLE', 503)],
    ['529', err('PROVIDER_UNAVAILABLE', 529)],
    ['network', err('PROVIDER_UNAVAILABLE', 0)],
    ['an overload event before the first delta', err('PROVIDER_UNAVAILABLE', 200, { midStream: true })],
  ])('fails over on %s before the first event and reports the failed key', async (_what, failure) => {
    const { provider, calls } = fakeProvider({ own: [failure] })
    const { t, failures } = target()
    const { seen, error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBeUndefined()
    expect(seen).toEqual([delta('ok'), finish])
    expect(calls).toEqual(['own', 'k1'])
    expect(failures).toEqual([{ credentialId: null, status: failure.status }])
  })

  it.each([
    ['a bad request', err('PROVIDER_BAD_REQUEST', 400)],
    ['a too-long context', err('CONTEXT_TOO_LONG', 400)],
    ['an unknown model', err('PROVIDER_BAD_REQUEST', 404)],
    ['a non-provider error', new Error('boom')],
  ])('does not fail over on %s', async (_what, failure) => {
    const { provider, calls } = fakeProvider({ own: [failure] })
    const { t, failures } = target()
    const { error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBe(failure)
    expect(calls).toEqual(['own'])
    expect(failures).toEqual([])
  })

  it('passes an error after the first event through unchanged, without trying another key', async () => {
    const midStream = err('PROVIDER_UNAVAILABLE', 200, { midStream: true })
    const { provider, calls } = fakeProvider({ own: [delta('par'), midStream] })
    const { t, failures } = target()
    const { seen, error } = await collect(streamWithFailover(provider, request, t))
    expect(seen).toEqual([delta('par')])
    expect(error).toBe(midStream)
    expect(calls).toEqual(['own'])
    expect(failures).toEqual([])
  })

  it('tries every candidate in order and throws the last error when all fail', async () => {
    const last = err('PROVIDER_UNAVAILABLE', 529)
    const { provider, calls } = fakeProvider({ own: [err('PROVIDER_AUTH_FAILED', 401)], k1: [err('PROVIDER_RATE_LIMITED', 429)], k2: [last] })
    const { t, failures } = target()
    const { error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBe(last)
    expect(calls).toEqual(['own', 'k1', 'k2'])
    expect(failures.map((f) => [f.credentialId, f.status])).toEqual([[null, 401], ['c1', 429], ['c2', 529]])
  })

  it('stops failing over once the caller aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const { provider, calls } = fakeProvider({ own: [err('PROVIDER_UNAVAILABLE', 0)] })
    const { t } = target()
    const { error } = await collect(streamWithFailover(provider, { ...request, signal: controller.signal }, t))
    expect(error).toMatchObject({ status: 0 })
    expect(calls).toEqual(['own'])
  })

  it('uses the single apiKey when there are no candidates, replacing any apiKey of the request', async () => {
    const { provider, calls } = fakeProvider({})
    const { seen } = await collect(streamWithFailover(provider, { ...request, apiKey: 'stale' } as never, { apiKey: 'only' }))
    expect(seen).toHaveLength(2)
    expect(calls).toEqual(['only'])
  })

  it('ignores a reporter that throws', async () => {
    const { provider, calls } = fakeProvider({ own: [err('PROVIDER_AUTH_FAILED', 401)] })
    const t: FailoverTarget = { apiKey: 'own', candidates, reportFailure: () => { throw new Error('redis down') } }
    const { seen, error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBeUndefined()
    expect(seen).toHaveLength(2)
    expect(calls).toEqual(['own', 'k1'])
  })
})

describe('openWithFailover', () => {
  it('opens with the next key after a failover-worthy error, and not after others', async () => {
    const { t, failures } = target()
    const tried: string[] = []
    const opened = await openWithFailover(async ({ apiKey: key }) => {
      tried.push(key)
      if (key === 'own') throw err('PROVIDER_RATE_LIMITED', 429)
      return `stream via ${key}`
    }, t)
    expect(opened).toBe('stream via k1')
    expect(tried).toEqual(['own', 'k1'])
    expect(failures).toEqual([{ credentialId: null, status: 429 }])

    const bad = err('PROVIDER_BAD_REQUEST', 400)
    await expect(openWithFailover(async () => Promise.reject(bad), target().t)).rejects.toBe(bad)
  })

  it('throws the last error when every key fails', async () => {
    const errors = [err('PROVIDER_AUTH_FAILED', 401), err('PROVIDER_UNAVAILABLE', 500), err('PROVIDER_UNAVAILABLE', 503)]
    let i = 0
    await expect(openWithFailover(async () => Promise.reject(errors[i++]), target().t)).rejects.toBe(errors[2])
  })
})
