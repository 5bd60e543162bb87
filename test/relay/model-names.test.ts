import Anthropic from '@anthropic-ai/sdk'
import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_TEXT, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// Readable model names: a system model without an alias is listed and accepted by its provider
// model id where that is unique among the key's models, else by a slug of its display name.

let w: RelayWorld
const system: Record<'nano' | 'miniEu' | 'twinA' | 'twinB', string> = { nano: '', miniEu: '', twinA: '', twinB: '' }

beforeAll(async () => {
  w = await startRelayWorld()
  const admin = await w.t.adminToken()
  const create = async (modelId: string, displayName: string) => {
    const res = await w.t.request('POST', '/api/models/system', {
      token: admin,
      body: { providerKind: 'openai', displayName, modelId, baseUrl: `${w.upstream.url}/v1`, apiKey: UPSTREAM_KEY, contextWindow: 8000, maxOutputTokens: 1000 },
    })
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`)
    return res.body.id as string
  }
  system.nano = await create('gpt-4.1-nano', 'Nano (system)')
  // Same provider model id as the user's own `gpt-relay` model: listed by the slug of its display name.
  system.miniEu = await create('gpt-4o-mini', 'Mini ÉU')
  // Same model id and display name twice: only their config ids tell them apart.
  system.twinA = await create('o3-mini', 'Twin')
  system.twinB = await create('o3-mini', 'Twin')
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const openai = (apiKey = RELAY_KEY) => new OpenAI({ apiKey, baseURL: `${w.url}/v1`, maxRetries: 0 })
const anthropic = (apiKey = RELAY_KEY) => new Anthropic({ apiKey, baseURL: w.url, maxRetries: 0 })
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)
const ask = (model: string, apiKey = RELAY_KEY) => openai(apiKey).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })

describe('readable model names', () => {
  it('lists every model by alias, else unique provider model id, else display-name slug, else config id', async () => {
    const page = await openai().models.list()
    expect(page.data.map((m) => m.id)).toEqual(['gpt-relay', 'claude-relay', 'gemini-relay', 'gpt-4.1-nano', 'mini-eu', system.twinA, system.twinB])
  })

  it('accepts each listed name in chat/completions and sends the provider model id upstream', async () => {
    for (const [name, upstreamModel] of [['gpt-4.1-nano', 'gpt-4.1-nano'], ['mini-eu', 'gpt-4o-mini'], [system.twinB, 'o3-mini']] as const) {
      w.upstream.reset()
      const completion = await ask(name)
      expect(completion.choices[0]?.message.content).toBe(DEFAULT_TEXT)
      expect(w.upstream.requests[0]!.body).toMatchObject({ model: upstreamModel })
    }
    expect(w.recorder.entries.map((e) => e.modelConfigId)).toEqual([system.nano, system.miniEu, system.twinB])
  })

  it('keeps accepting the config id and answers every name with the listed one', async () => {
    const byId = await openai().models.retrieve(system.nano)
    expect(byId.id).toBe('gpt-4.1-nano')
    expect((await openai().models.retrieve('mini-eu')).id).toBe('mini-eu')
    expect((await ask(system.miniEu)).choices[0]?.message.content).toBe(DEFAULT_TEXT)
  })

  it('accepts the same names in /v1/messages (Anthropic SDK)', async () => {
    const message = await anthropic().messages.create({ model: 'gpt-4.1-nano', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
    expect(message.content[0]).toMatchObject({ type: 'text', text: DEFAULT_TEXT })
    expect(w.upstream.requests[0]!.body).toMatchObject({ model: 'gpt-4.1-nano' })
  })

  it('refuses a shared provider model id or slug with a 400 that names the models it could mean', async () => {
    const shared = await failure(ask('gpt-4o-mini'))
    expect(shared).toBeInstanceOf(OpenAI.BadRequestError)
    expect(shared).toMatchObject({ status: 400, param: 'model', type: 'invalid_request_error' })
    expect(shared?.message).toContain('The model `gpt-4o-mini` names 2 models this key may use; use one of: `gpt-relay`, `mini-eu`.')
    const twins = await failure(ask('twin'))
    expect(twins?.message).toContain(`use one of: \`${system.twinA}\`, \`${system.twinB}\``)
    const retrieve = await failure(openai().models.retrieve('o3-mini'))
    expect(retrieve).toBeInstanceOf(OpenAI.BadRequestError)
    const viaAnthropic = await anthropic().messages.create({ model: 'o3-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e)
    expect(viaAnthropic).toBeInstanceOf(Anthropic.BadRequestError)
    expect(viaAnthropic).toMatchObject({ error: { type: 'error', error: { type: 'invalid_request_error' } } })
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(0)
  })

  it('decides uniqueness among the models the key may use', async () => {
    w.addKey('sk-relay_only-mini-eu-7777', { allowedModels: [system.miniEu, system.twinA] })
    const page = await openai('sk-relay_only-mini-eu-7777').models.list()
    expect(page.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'o3-mini'])
    await ask('gpt-4o-mini', 'sk-relay_only-mini-eu-7777')
    await ask('twin', 'sk-relay_only-mini-eu-7777')
    expect(w.upstream.requests.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o-mini', 'o3-mini'])
    expect(w.gate.admitted.map((a) => a.modelConfigId)).toEqual([system.miniEu, system.twinA])
    const outside = await failure(ask('gpt-4.1-nano', 'sk-relay_only-mini-eu-7777'))
    expect(outside).toBeInstanceOf(OpenAI.NotFoundError)
  })
})
