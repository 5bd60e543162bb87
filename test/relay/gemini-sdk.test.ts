import { ApiError, GoogleGenAI, Type, type Content } from '@google/genai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { countTokens, DEFAULT_TEXT, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { eventually, MODELS, RELAY_KEY, startRelayWorld, type Kind, type RelayWorld } from './relay-kit.ts'

// The unmodified @google/genai SDK against the relay's /v1beta routes, served from every model kind.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const client = (apiKey = RELAY_KEY) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: w.url } })
const question = 'What is the capital of France?'
const KINDS: Kind[] = ['openai', 'anthropic', 'gemini']
const modelOf = (kind: Kind) => MODELS[kind].alias
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ApiError)
const sent = (i = 0) => w.upstream.requests[i]!.body as Record<string, any>

describe('@google/genai -> /v1beta generateContent and streamGenerateContent', () => {
  it.each(KINDS)('streams from a %s model with usage and finish reason', async (kind) => {
    w.upstream.enqueue({ chunks: 3, cachedTokens: 2 })
    const stream = await client().models.generateContentStream({
      model: modelOf(kind),
      contents: question,
      config: { systemInstruction: 'Be brief.', temperature: 0.5, stopSequences: ['END'], maxOutputTokens: 100 },
    })
    let text = ''
    let last
    for await (const chunk of stream) {
      text += chunk.text ?? ''
      last = chunk
    }
    expect(text).toBe(DEFAULT_TEXT)
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP')
    expect(last?.usageMetadata).toMatchObject({ promptTokenCount: countTokens(['Be brief.', question]), cachedContentTokenCount: 2, candidatesTokenCount: 3 })
    expect(w.upstream.requests[0]!.dialect).toBe(kind)
    if (kind === 'openai') expect(sent()).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }], temperature: 0.5, stop: ['END'], max_tokens: 100 })
    if (kind === 'anthropic') expect(sent()).toMatchObject({ model: 'claude-sonnet-4-5', system: 'Be brief.', messages: [{ role: 'user', content: question }], temperature: 0.5, stop_sequences: ['END'], max_tokens: 100 })
    if (kind === 'gemini') {
      expect(w.upstream.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
      expect(sent()).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { temperature: 0.5, stopSequences: ['END'], maxOutputTokens: 100 } })
    }
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'complete', inputTokens: countTokens(['Be brief.', question]), cachedTokens: 2, outputTokens: 3 }))
  })

  it.each(KINDS)('answers generateContent from a %s model, MAX_TOKENS when the limit cut it', async (kind) => {
    const response = await client().models.generateContent({ model: modelOf(kind), contents: question, config: { maxOutputTokens: 2 } })
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS')
    expect(response.usageMetadata).toMatchObject({ candidatesTokenCount: 2, promptTokenCount: countTokens([question]) })
    expect(response.text?.length).toBeGreaterThan(0)
  })

  it('keeps multi-part text as separate parts and turns in order', async () => {
    const contents: Content[] = [
      { role: 'user', parts: [{ text: 'part1' }, { text: 'part2' }] },
      { role: 'model', parts: [{ text: 'ok' }] },
      { role: 'user', parts: [{ text: 'again' }] },
    ]
    await client().models.generateContent({ model: modelOf('openai'), contents })
    expect(sent().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'again' },
    ])
    await client().models.generateContent({ model: modelOf('anthropic'), contents })
    expect(sent(1).messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }] })
  })

  it('sends images (inline bytes and https URLs) to every kind', async () => {
    const contents: Content[] = [{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } }] }]
    for (const kind of KINDS) await client().models.generateContent({ model: modelOf(kind), contents })
    expect(sent(0).messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    ])
    expect(sent(1).messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
    expect(sent(2).contents[0].parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
    ])
  })
})

describe('@google/genai function calling through every kind', () => {
  const tools = [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] } }] }]
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }

  it.each(KINDS)('declares tools to a %s model, streams its call back as functionCall, and returns the result', async (kind) => {
    w.upstream.enqueue({ toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const stream = await client().models.generateContentStream({ model: modelOf(kind), contents: 'Weather in Paris?', config: { tools, toolConfig: { functionCallingConfig: { mode: 'ANY' as never } } } })
    const calls = []
    let finish
    for await (const chunk of stream) {
      calls.push(...(chunk.functionCalls ?? []))
      finish = chunk.candidates?.[0]?.finishReason ?? finish
    }
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } })
    expect(finish).toBe('STOP')
    if (kind === 'openai') expect(sent()).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }], tool_choice: 'required' })
    if (kind === 'anthropic') expect(sent()).toMatchObject({ tools: [{ name: 'get_weather', description: 'Weather', input_schema: schema }], tool_choice: { type: 'any' } })
    if (kind === 'gemini') expect(sent()).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: schema }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' } } })

    // The second turn: the model's call as the SDK gave it, then the function's response.
    const history: Content[] = [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: calls[0] }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', id: calls[0]!.id, response: { output: 'Sunny, 21 C' } } }] },
    ]
    const answer = await client().models.generateContent({ model: modelOf(kind), contents: history, config: { tools } })
    expect(answer.text).toBe(DEFAULT_TEXT)
    const second = sent(1)
    if (kind === 'openai') {
      expect(second.messages.slice(1)).toEqual([
        { role: 'assistant', content: null, tool_calls: [{ id: calls[0]!.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: calls[0]!.id, content: 'Sunny, 21 C' },
      ])
    }
    if (kind === 'anthropic') {
      expect(second.messages.slice(1)).toEqual([
        { role: 'assistant', content: [{ type: 'tool_use', id: calls[0]!.id, name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: calls[0]!.id, content: 'Sunny, 21 C' }] },
      ])
    }
    if (kind === 'gemini') {
      expect(second.contents.slice(1)).toEqual([
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'Sunny, 21 C' } } }] },
      ])
    }
  })

  it('answers a non-streamed call with functionCall parts', async () => {
    w.upstream.enqueue({ toolCalls: [{ id: 'toolu_9', name: 'get_weather', arguments: '{"city":"Rome"}' }] })
    const response = await client().models.generateContent({ model: modelOf('anthropic'), contents: 'Weather in Rome?', config: { tools } })
    expect(response.functionCalls).toEqual([{ id: 'toolu_9', name: 'get_weather', args: { city: 'Rome' } }])
  })

  it.each(KINDS)('asks a %s model for JSON matching responseSchema', async (kind) => {
    w.upstream.enqueue(kind === 'anthropic' ? { toolCalls: [{ name: 'json_answer', arguments: '{"city":"Paris"}' }] } : { text: '{"city":"Paris"}' })
    const response = await client().models.generateContent({
      model: modelOf(kind), contents: 'Capital of France as JSON',
      config: { responseMimeType: 'application/json', responseSchema: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] } },
    })
    expect(JSON.parse(response.text!)).toEqual({ city: 'Paris' })
    if (kind === 'openai') expect(sent().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } })
    if (kind === 'anthropic') expect(sent()).toMatchObject({ tools: [{ name: 'json_answer', input_schema: schema }], tool_choice: { type: 'tool', name: 'json_answer' } })
    if (kind === 'gemini') expect(sent().generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: schema })
  })
})

describe('@google/genai models.list and models.get', () => {
  it('lists the models the key may use as models/<name>, across pages', async () => {
    const pager = await client().models.list({ config: { pageSize: 2 } })
    const names: string[] = []
    for await (const model of pager) names.push(model.name!)
    expect(names).toEqual(['models/gpt-relay', 'models/claude-relay', 'models/gemini-relay'])
    const one = await client().models.get({ model: 'gemini-relay' })
    expect(one).toMatchObject({ name: 'models/gemini-relay', displayName: 'gemini relay', supportedActions: expect.arrayContaining(['generateContent', 'countTokens']) })
  })
})

describe('errors in Gemini\'s shape', () => {
  it('refuses an unknown key with 400 API_KEY_INVALID and a missing one with 403', async () => {
    const bad = await failure(client('sk-nope').models.generateContent({ model: 'gemini-relay', contents: 'hi' }))
    expect(bad).toBeInstanceOf(ApiError)
    expect(bad?.status).toBe(400)
    expect(JSON.parse(bad!.message)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } })
    const res = await fetch(`${w.url}/v1beta/models/gemini-relay:generateContent`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } })
  })

  it('answers an unknown model with 404 NOT_FOUND, an upstream 429 with 429 RESOURCE_EXHAUSTED', async () => {
    const missing = await failure(client().models.generateContent({ model: 'nope', contents: 'hi' }))
    expect(missing?.status).toBe(404)
    expect(JSON.parse(missing!.message)).toMatchObject({ error: { status: 'NOT_FOUND' } })
    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 30 })
    const limited = await failure(client().models.generateContent({ model: 'claude-relay', contents: 'hi' }))
    expect(limited?.status).toBe(429)
    expect(JSON.parse(limited!.message)).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '30s' }] } })
  })

  it('refuses what cannot be translated with 400 naming the field', async () => {
    const builtIn = await failure(client().models.generateContent({ model: 'gpt-relay', contents: 'hi', config: { tools: [{ googleSearch: {} }] } }))
    expect(bad400(builtIn)).toContain('tools[0].googleSearch')
    const thinking = await failure(client().models.generateContent({ model: 'claude-relay', contents: 'hi', config: { thinkingConfig: { thinkingBudget: 100 } } }))
    expect(bad400(thinking)).toContain('generationConfig.thinkingConfig')
    const topK = await failure(client().models.generateContent({ model: 'gpt-relay', contents: 'hi', config: { topK: 5 } }))
    expect(bad400(topK)).toContain('generationConfig.topK')
    const pdf = await failure(client().models.generateContent({ model: 'gpt-relay', contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBE' } }] }] }))
    expect(bad400(pdf)).toContain('contents[0].parts[0].inlineData.mimeType')
    expect(w.upstream.requests).toHaveLength(0)
  })

  it('reports a failure mid-stream so that the SDK throws', async () => {
    w.upstream.enqueue({ chunks: 4, midStreamErrorAfter: 2, midStreamError: 'overloaded' })
    const stream = await client().models.generateContentStream({ model: 'gpt-relay', contents: 'hi' })
    const error = await (async () => {
      for await (const _ of stream) void _
    })().catch((e: unknown) => e)
    // An ApiError when the error object arrives in a read of its own, else "Incomplete JSON segment at the end".
    expect(error).toBeInstanceOf(Error)
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'error' }))
  })
})

const bad400 = (err: ApiError | undefined): string => {
  expect(err?.status).toBe(400)
  const body = JSON.parse(err!.message) as { error: { status: string; message: string } }
  expect(body.error.status).toBe('INVALID_ARGUMENT')
  return body.error.message
}

describe('the raw routes', () => {
  it('streams without alt=sse as one JSON array, with the key as ?key=', async () => {
    w.upstream.enqueue({ chunks: 3 })
    const res = await fetch(`${w.url}/v1beta/models/claude-relay:streamGenerateContent?key=${RELAY_KEY}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    const chunks = (await res.json()) as Array<{ candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }>; usageMetadata?: unknown }>
    expect(chunks.map((c) => c.candidates[0]!.content.parts.map((p) => p.text ?? '').join('')).join('')).toBe(DEFAULT_TEXT)
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { candidatesTokenCount: 3 } })
    expect(w.upstream.requests[0]!.headers['x-api-key']).toBe(UPSTREAM_KEY)
  })

  it('ends a JSON-array stream that failed with the error object as its last element', async () => {
    w.upstream.enqueue({ chunks: 4, midStreamErrorAfter: 2, midStreamError: 'overloaded' })
    const res = await fetch(`${w.url}/v1beta/models/gpt-relay:streamGenerateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': RELAY_KEY }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    })
    const elements = (await res.json()) as Array<Record<string, any>>
    const text = elements.slice(0, -1).map((e) => e.candidates[0].content.parts[0].text).join('')
    expect(text.length).toBeGreaterThan(0)
    expect(DEFAULT_TEXT.startsWith(text)).toBe(true)
    expect(elements.at(-1)).toMatchObject({ error: { code: expect.any(Number), status: expect.stringMatching(/^(UNAVAILABLE|INTERNAL)$/) } })
    expect(elements.at(-1)!.error.code).toBeGreaterThanOrEqual(500)
  })

  it('answers bad input in Gemini\'s shape: a wrong body, unknown method, a huge body, a cut stream', async () => {
    const post = (path: string, body: string) => fetch(`${w.url}${path}`, { method: 'POST', headers: { 'x-goog-api-key': RELAY_KEY, 'content-type': 'application/json' }, body })
    const shape = await post('/v1beta/models/gpt-relay:generateContent', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }))
    expect(shape.status).toBe(400)
    expect(await shape.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents') } })
    const notJson = await post('/v1beta/models/gpt-relay:generateContent', '{"contents": [')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } })
    const method = await post('/v1beta/models/gpt-relay:embedContent', '{}')
    expect(method.status).toBe(404)
    expect(await method.json()).toMatchObject({ error: { status: 'NOT_FOUND' } })
    const huge = await post('/v1beta/models/gpt-relay:generateContent', JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(9 * 1024 * 1024) }] }] }))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ error: { code: 413, status: 'INVALID_ARGUMENT' } })

    w.upstream.enqueue({ chunks: 4, dropAfter: 2 })
    const cut = await post('/v1beta/models/gpt-relay:streamGenerateContent?alt=sse', JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }))
    expect(cut.status).toBe(200)
    const text = await cut.text()
    expect(text).toContain('"text"')
    expect(text.trim().split('\n').at(-1)).toMatch(/^\{"error":\{"code":50\d,/)
  })
})
