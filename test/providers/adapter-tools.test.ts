import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatTurn, CompletionRequest, ProviderEvent, ProviderKind } from '../../src/features/providers/ai-provider.port.ts'
import { HttpAiProvider } from '../../src/features/providers/adapters/http-ai-provider.ts'
import { unsupportedFeature } from '../../src/features/providers/provider-capabilities.ts'
import { nameToolResults } from '../../src/features/providers/content-parts.ts'
import { UndiciTransport } from '../../src/shared/outbound/undici-transport.ts'
import { startUpstream, UPSTREAM_KEY, type Scenario, type Upstream } from '../support/upstream/server.ts'

// Tools, images, multi-part text and JSON modes through each dialect, against the test upstream.

let upstream: Upstream
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())
afterEach(() => upstream.reset())

const provider = new HttpAiProvider(new UndiciTransport({ connectMs: 10_000, headersMs: 60_000, idleMs: 120_000 }))
const KINDS: ProviderKind[] = ['openai', 'anthropic', 'gemini']
const MODELS: Record<ProviderKind, string> = { openai: 'gpt-4o', anthropic: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash' }
const PNG = 'iVBORw0KGgo='

const request = (kind: ProviderKind, overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
  provider: kind,
  baseUrl: kind === 'openai' ? `${upstream.url}/v1` : upstream.url,
  apiKey: UPSTREAM_KEY,
  model: MODELS[kind],
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  maxOutputTokens: 100,
  ...overrides,
})

async function collect(kind: ProviderKind, scenario: Scenario, overrides: Partial<CompletionRequest> = {}): Promise<ProviderEvent[]> {
  upstream.enqueue(scenario)
  const events: ProviderEvent[] = []
  for await (const event of provider.stream(request(kind, overrides))) events.push(event)
  return events
}

/** The tool calls of a stream, assembled by index as a consumer would. */
function calls(events: ProviderEvent[]) {
  const out: Array<{ id?: string; name?: string; arguments: string }> = []
  for (const e of events) {
    if (e.type !== 'tool_call') continue
    const call = (out[e.index] ??= { arguments: '' })
    if (e.id) call.id = e.id
    if (e.name) call.name = e.name
    call.arguments += e.argumentsDelta
  }
  return out
}

const tools = [{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } }]

/** A tool round trip with an image and two text parts in the user turn. */
const history = (): ChatTurn[] => {
  const turns: ChatTurn[] = [
    { role: 'user', content: 'part1\npart2', parts: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }, { type: 'image', image: { kind: 'base64', mediaType: 'image/png', data: PNG } }] },
    { role: 'assistant', content: '', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'user', content: '', parts: [{ type: 'tool_result', toolCallId: 'call_1', content: '{"temp":21}' }] },
  ]
  nameToolResults(turns)
  return turns
}

describe.each(KINDS)('%s dialect: tool calls', (kind) => {
  it('streams tool calls as tool_call events and finishes with tool_calls', async () => {
    const events = await collect(kind, { toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }, { id: 'c2', name: 'get_weather', arguments: '{"city":"Rome"}' }] }, { tools })
    const got = calls(events)
    expect(got.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([['get_weather', { city: 'Paris' }], ['get_weather', { city: 'Rome' }]])
    expect(got.every((c) => typeof c.id === 'string' && c.id.length > 0)).toBe(true)
    if (kind !== 'gemini') expect(got.map((c) => c.id)).toEqual(['c1', 'c2'])
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' })
    expect(events.findIndex((e) => e.type === 'usage')).toBeGreaterThan(events.findLastIndex((e) => e.type === 'tool_call'))
  })

  it('sends a tool round trip with an image and separate text parts, which the upstream accepts', async () => {
    const events = await collect(kind, {}, { messages: history(), tools, toolChoice: { type: 'auto' } })
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
  })
})

describe('request shapes of tools, images, parts and JSON modes', () => {
  it('openai: content parts, assistant tool_calls, tool messages, tools, tool_choice, response_format', async () => {
    await collect('openai', {}, { messages: history(), tools, toolChoice: { type: 'tool', name: 'get_weather' }, parallelToolCalls: false, responseFormat: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true }, params: { seed: 7, presencePenalty: 0.5 } })
    const body = upstream.requests[0]!.body as Record<string, unknown>
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ])
    expect(body).toMatchObject({
      tools: [{ type: 'function', function: tools[0] }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object' }, strict: true } },
      seed: 7,
      presence_penalty: 0.5,
    })
  })

  it('anthropic: blocks, tool_use input as an object, tool_result first, input_schema, tool_choice any without parallel calls', async () => {
    const turns = history()
    turns[2]!.parts!.push({ type: 'text', text: 'and tomorrow?' })
    turns[2]!.parts!.unshift({ type: 'text', text: 'here:' })
    await collect('anthropic', {}, { messages: turns, tools, toolChoice: { type: 'required' }, parallelToolCalls: false, systemParts: ['one', 'two'], system: 'one\n\ntwo', params: { topK: 5 } })
    const body = upstream.requests[0]!.body as Record<string, unknown>
    expect(body.system).toEqual([{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }])
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"temp":21}' }, { type: 'text', text: 'here:' }, { type: 'text', text: 'and tomorrow?' }] },
    ])
    expect(body).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: tools[0]!.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      top_k: 5,
    })
  })

  it('anthropic: an https image goes as a url source, a data URL as base64', async () => {
    const messages: ChatTurn[] = [{ role: 'user', content: '', parts: [{ type: 'image', image: { kind: 'url', url: 'https://example.com/cat.png' } }, { type: 'image', image: { kind: 'url', url: `data:image/gif;base64,${PNG}` } }] }]
    await collect('anthropic', {}, { messages })
    expect((upstream.requests[0]!.body as { messages: Array<{ content: unknown }> }).messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: PNG } },
    ])
  })

  it('anthropic: JSON mode is a forced tool whose input comes back as the answer text', async () => {
    const events = await collect('anthropic', { toolCalls: [{ name: 'json_answer', arguments: '{"city":"Paris","temp":21}' }] }, { responseFormat: { type: 'json_schema', name: 'weather', schema: { type: 'object', properties: { city: { type: 'string' } } } } })
    const body = upstream.requests[0]!.body as Record<string, unknown>
    expect(body).toMatchObject({ tools: [{ name: 'json_answer', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }], tool_choice: { type: 'tool', name: 'json_answer' } })
    expect(events.filter((e) => e.type === 'tool_call')).toEqual([])
    expect(events.map((e) => (e.type === 'delta' ? e.text : '')).join('')).toBe('{"city":"Paris","temp":21}')
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop', rawReason: 'tool_use' })
  })

  it('gemini: inlineData and fileData, functionCall and functionResponse by name, declarations, toolConfig, JSON schema', async () => {
    const turns = history()
    turns[0]!.parts!.push({ type: 'image', image: { kind: 'url', url: 'https://example.com/a/cat.webp?x=1' } })
    await collect('gemini', {}, { messages: turns, tools, toolChoice: { type: 'tool', name: 'get_weather' }, responseFormat: { type: 'json_schema', schema: { type: 'object' } }, params: { topK: 3, seed: 1, frequencyPenalty: 0.2 } })
    const body = upstream.requests[0]!.body as Record<string, unknown>
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'part1' }, { text: 'part2' }, { inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/a/cat.webp?x=1' } }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] },
    ])
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather of a city', parametersJsonSchema: tools[0]!.parameters }] }])
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } })
    expect(body.generationConfig).toMatchObject({ topK: 3, seed: 1, frequencyPenalty: 0.2, responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } })
  })

  it('gemini: a text or error tool result goes under output / error', async () => {
    const turns = history()
    turns[2]!.parts = [{ type: 'tool_result', toolCallId: 'call_1', name: 'get_weather', content: 'sunny' }]
    await collect('gemini', {}, { messages: turns })
    turns[2]!.parts = [{ type: 'tool_result', toolCallId: 'call_1', name: 'get_weather', content: 'no such city', isError: true }]
    await collect('gemini', {}, { messages: turns })
    const results = upstream.requests.map((r) => (r.body as { contents: Array<{ parts: unknown[] }> }).contents[2]!.parts[0])
    expect(results).toEqual([
      { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
      { functionResponse: { name: 'get_weather', response: { error: 'no such city' } } },
    ])
  })

  it('openai: json_object mode and an error tool result said in the content', async () => {
    const turns = history()
    turns[2]!.parts = [{ type: 'tool_result', toolCallId: 'call_1', content: 'no such city', isError: true }]
    await collect('openai', {}, { messages: turns, responseFormat: { type: 'json_object' } })
    const body = upstream.requests[0]!.body as { messages: unknown[]; response_format: unknown }
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Error: no such city' })
    expect(body.response_format).toEqual({ type: 'json_object' })
  })

  it('reports the cache writes of an anthropic stream', async () => {
    const events = await collect('anthropic', { cachedTokens: 2, cacheWriteTokens: 3 })
    expect(events.find((e) => e.type === 'usage')).toMatchObject({ usage: { cachedTokens: 2, cacheWriteTokens: 3 } })
  })
})

describe('unsupportedFeature', () => {
  const base = { messages: [{ role: 'user' as const, content: 'hi' }] }
  it('names what a kind cannot take', () => {
    expect(unsupportedFeature('openai', { ...base, params: { topK: 3 } })?.feature).toBe('topK')
    expect(unsupportedFeature('anthropic', { ...base, params: { seed: 3 } })?.feature).toBe('seed')
    expect(unsupportedFeature('anthropic', { ...base, tools, responseFormat: { type: 'json_object' } })?.feature).toBe('responseFormat')
    expect(unsupportedFeature('anthropic', { ...base, responseFormat: { type: 'json_schema', schema: { type: 'array' } } })?.feature).toBe('responseFormat')
    expect(unsupportedFeature('gemini', { ...base, tools, parallelToolCalls: false })?.feature).toBe('parallelToolCalls')
    expect(unsupportedFeature('gemini', { messages: [{ role: 'user', content: '', parts: [{ type: 'tool_result', toolCallId: 'x', content: '' }] }] })?.feature).toBe('toolResultName')
  })
  it('passes what maps', () => {
    expect(unsupportedFeature('gemini', { ...base, params: { topK: 3, seed: 1 }, responseFormat: { type: 'json_object' } })).toBeUndefined()
    expect(unsupportedFeature('anthropic', { ...base, tools, parallelToolCalls: false, params: { topK: 1 } })).toBeUndefined()
    expect(unsupportedFeature('openai', { ...base, tools, parallelToolCalls: false, params: { seed: 1 } })).toBeUndefined()
  })
})
