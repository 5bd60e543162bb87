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

describe('OAuth candidates', () => {
  const oauth = (tokens: string[], renewals: (string | undefined)[]): FailoverCandidate => ({
    credentialId: 'acc-1',
    apiKey: '',
    authType: 'oauth',
    proxyUrl: 'socks5://proxy:1080',
    token: async (rejected) => {
      renewals.push(rejected)
      return tokens.shift()!
    },
  })

  it('asks for a token, and on a 401 before the first event renews it once and retries the same account', async () => {
    const renewals: (string | undefined)[] = []
    const { provider, calls } = fakeProvider({ stale: [err('PROVIDER_AUTH_FAILED', 401)], fresh: [delta('hi'), finish] })
    const { t, failures } = target([oauth(['stale', 'fresh'], renewals), { credentialId: 'c2', apiKey: 'k2' }])
    const { seen, error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBeUndefined()
    expect(seen).toEqual([delta('hi'), finish])
    expect(calls).toEqual(['stale', 'fresh'])
    expect(renewals).toEqual([undefined, 'stale'])
    expect(failures).toEqual([])
  })

  it('fails over after the renewed token is refused too, reporting the account once', async () => {
    const renewals: (string | undefined)[] = []
    const { provider, calls } = fakeProvider({ a: [err('PROVIDER_AUTH_FAILED', 401)], b: [err('PROVIDER_AUTH_FAILED', 401)] })
    const { t, failures } = target([oauth(['a', 'b'], renewals), { credentialId: 'c2', apiKey: 'k2' }])
    const { seen, error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBeUndefined()
    expect(seen.at(-1)).toEqual(finish)
    expect(calls).toEqual(['a', 'b', 'k2'])
    expect(failures).toEqual([{ credentialId: 'acc-1', status: 401 }])
  })

  it('fails over when the token cannot be had (invalid_grant), without calling the provider with it', async () => {
    const refused = new ProviderError('PROVIDER_AUTH_FAILED', { provider: 'anthropic', status: 401, retryable: false, providerMessage: 'needs re-authorization', providerCode: 'invalid_grant' })
    const candidate: FailoverCandidate = { credentialId: 'acc-1', apiKey: '', authType: 'oauth', token: () => Promise.reject(refused) }
    const { provider, calls } = fakeProvider({})
    const { t, failures } = target([candidate, { credentialId: 'c2', apiKey: 'k2' }])
    const { error } = await collect(streamWithFailover(provider, request, t))
    expect(error).toBeUndefined()
    expect(calls).toEqual(['k2'])
    expect(failures).toEqual([{ credentialId: 'acc-1', status: 401 }])
  })

  it('sends the account route: auth type, proxy and endpoint override', async () => {
    const seenRequests: CompletionRequest[] = []
    const provider: AiProvider = {
      async *stream(r) {
        seenRequests.push(r)
        yield finish
      },
    }
    const candidate: FailoverCandidate = { credentialId: 'acc-1', apiKey: 'sk', authType: 'api_key', baseUrl: 'http://account-endpoint', proxyUrl: 'http://u:p@proxy:8080' }
    const { t } = target([candidate])
    await collect(streamWithFailover(provider, request, t))
    expect(seenRequests[0]).toMatchObject({ apiKey: 'sk', authType: 'api_key', baseUrl: 'http://account-endpoint', proxyUrl: 'http://u:p@proxy:8080' })
  })

  it('tells which candidate answered', async () => {
    const answered: (string | null)[] = []
    const { provider } = fakeProvider({ own: [err('PROVIDER_UNAVAILABLE', 503)] })
    const { t } = target()
    t.reportSuccess = (c) => void answered.push(c.credentialId)
    await collect(streamWithFailover(provider, request, t))
    expect(answered).toEqual(['c1'])
  })
})
