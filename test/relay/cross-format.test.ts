import Anthropic, { type APIError as AnthropicError } from '@anthropic-ai/sdk'
import OpenAI, { type APIError as OpenAiError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { countTokens, DEFAULT_TEXT } from '../support/upstream/server.ts'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// Translation between formats with the official SDKs as clients: tools and tool results, images,
// multi-part text, stop sequences, JSON modes and cached-token usage, streamed and not; whatever
// cannot be mapped is a 400 naming the field in the caller's format.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const openai = () => new OpenAI({ apiKey: RELAY_KEY, baseURL: `${w.url}/v1`, maxRetries: 0 })
const anthropic = () => new Anthropic({ apiKey: RELAY_KEY, baseURL: w.url, maxRetries: 0 })
const sent = (i = 0) => w.upstream.requests[i]!.body as Record<string, any>
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
const PNG = 'iVBORw0KGgo='

describe('OpenAI SDK -> claude-relay and gemini-relay', () => {
  const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }]

  it.each(['claude-relay', 'gemini-relay'])('streams a tool call from %s through the stream helper', async (model) => {
    w.upstream.enqueue({ toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const completion = await openai().chat.completions.stream({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: 'required' }).finalChatCompletion()
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls).toHaveLength(1)
    expect(choice.message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })
    if (model === 'claude-relay') {
      expect(choice.message.tool_calls![0]!.id).toBe('toolu_1')
      expect(sent()).toMatchObject({ tools: [{ name: 'get_weather', description: 'Weather', input_schema: schema }], tool_choice: { type: 'any' } })
    } else expect(sent()).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: schema }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' } } })
  })

  it('answers a non-streamed tool call with tool_calls and content null', async () => {
    w.upstream.enqueue({ toolCalls: [{ id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' }] })
    const completion = await openai().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'Weather in Rome?' }], tools })
    expect(completion.choices[0]!.message).toMatchObject({ content: null, tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] })
  })

  it.each(['claude-relay', 'gemini-relay'])('sends tool results, images and multi-part text to %s in its own wire form', async (model) => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
    ]
    const completion = await openai().chat.completions.create({ model, messages, tools, stop: ['END'] })
    expect(completion.choices[0]!.message.content).toBe(DEFAULT_TEXT)
    if (model === 'claude-relay') {
      expect(sent()).toMatchObject({ system: 'Be brief.', stop_sequences: ['END'] })
      expect(sent().messages).toEqual([
        { role: 'user', content: [
          { type: 'text', text: 'part1' }, { type: 'text', text: 'part2' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' }] },
      ])
    } else {
      expect(sent().generationConfig).toMatchObject({ stopSequences: ['END'] })
      expect(sent().contents).toEqual([
        { role: 'user', parts: [{ text: 'part1' }, { text: 'part2' }, { inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'Sunny' } } }] },
      ])
    }
  })

  it('keeps response_format: json_object to Claude as a forced tool, json_schema to Gemini as its response schema', async () => {
    w.upstream.enqueue({ toolCalls: [{ name: 'json_answer', arguments: '{"city":"Paris"}' }] })
    const claude = await openai().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } })
    expect(JSON.parse(claude.choices[0]!.message.content!)).toEqual({ city: 'Paris' })
    expect(claude.choices[0]!.finish_reason).toBe('stop')
    expect(sent()).toMatchObject({ tools: [{ name: 'json_answer', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'json_answer' } })

    w.upstream.enqueue({ text: '{"city":"Paris"}' })
    const stream = await openai().chat.completions.create({
      model: 'gemini-relay', messages: [{ role: 'user', content: 'JSON please' }], stream: true,
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(JSON.parse(text)).toEqual({ city: 'Paris' })
    expect(sent(1).generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: schema })
  })

  it('reports cached tokens of a Claude model in prompt_tokens_details', async () => {
    w.upstream.enqueue({ cachedTokens: 3, cacheWriteTokens: 2 })
    const completion = await openai().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    expect(completion.usage).toMatchObject({ prompt_tokens: countTokens(['What is the capital of France?']), prompt_tokens_details: { cached_tokens: 3 } })
  })

  it('refuses what cannot be mapped with a 400 whose param names the field, before any upstream call', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as OpenAiError)
    const base = { messages: [{ role: 'user' as const, content: 'hi' }] }
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['claude-relay', { logit_bias: { 50256: -100 } }, 'logit_bias'],
      ['claude-relay', { seed: 7 }, 'seed'],
      ['claude-relay', { n: 2 }, 'n'],
      ['gemini-relay', { tools, parallel_tool_calls: false }, 'parallel_tool_calls'],
      ['claude-relay', { tools, response_format: { type: 'json_object' } }, 'response_format'],
      ['gemini-relay', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages.0.content.0.type'],
    ]
    for (const [model, extra, param] of cases) {
      const error = await failure(openai().chat.completions.create({ model, ...base, ...extra } as never))
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError)
      expect(error?.param, param).toBe(param)
      expect(error?.message, param).toContain(param)
    }
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(0)
  })
})

describe('Anthropic SDK -> gpt-relay and gemini-relay', () => {
  const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: schema as Anthropic.Tool.InputSchema }]

  it.each(['gpt-relay', 'gemini-relay'])('streams a tool call from %s as a tool_use block', async (model) => {
    w.upstream.enqueue({ toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const message = await anthropic().messages.stream({ model, max_tokens: 100, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage()
    expect(message.stop_reason).toBe('tool_use')
    const use = message.content.find((b) => b.type === 'tool_use')
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } })
    if (model === 'gpt-relay') {
      expect(use).toMatchObject({ id: 'call_9' })
      expect(sent()).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }] })
    } else expect(sent()).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: schema }] }] })
  })

  it('answers a non-streamed tool call with a tool_use block', async () => {
    w.upstream.enqueue({ toolCalls: [{ id: 'call_3', name: 'get_weather', arguments: '{"city":"Rome"}' }] })
    const message = await anthropic().messages.create({ model: 'gpt-relay', max_tokens: 100, tools, messages: [{ role: 'user', content: 'Weather in Rome?' }] })
    expect(message).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'call_3', name: 'get_weather', input: { city: 'Rome' } }] })
  })

  it.each(['gpt-relay', 'gemini-relay'])('sends tool results, images and text blocks to %s in its own wire form', async (model) => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: 'part1' }, { type: 'text', text: 'part2' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_7', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_7', content: [{ type: 'text', text: 'Sunny' }] }] },
    ]
    const message = await anthropic().messages.create({ model, max_tokens: 100, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }], tools, messages, stop_sequences: ['END'] })
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }])
    if (model === 'gpt-relay') {
      expect(sent()).toMatchObject({ stop: ['END'] })
      expect(sent().messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [
          { type: 'text', text: 'part1' }, { type: 'text', text: 'part2' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ] },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'toolu_7', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_7', content: 'Sunny' },
      ])
    } else {
      expect(sent()).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { stopSequences: ['END'] } })
      expect(sent().contents.slice(1)).toEqual([
        { role: 'model', parts: [{ text: 'Let me check.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'Sunny' } } }] },
      ])
    }
  })

  it('reports cached tokens of a Gemini model as cache_read_input_tokens, streamed', async () => {
    w.upstream.enqueue({ cachedTokens: 2 })
    const message = await anthropic().messages.stream({ model: 'gemini-relay', max_tokens: 100, messages: [{ role: 'user', content: 'What is the capital of France?' }] }).finalMessage()
    expect(message.usage).toMatchObject({ input_tokens: countTokens(['What is the capital of France?']) - 2, cache_read_input_tokens: 2 })
  })

  it('refuses what cannot be mapped with a 400 naming the field', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as AnthropicError)
    const base = { max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] }
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['gpt-relay', { top_k: 5 }, 'top_k'],
      ['gpt-relay', { thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking'],
      ['gemini-relay', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools.0.type'],
      ['gemini-relay', { tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, 'tool_choice.disable_parallel_tool_use'],
      ['gpt-relay', { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] }, 'messages.0.content.0.type'],
      ['gpt-relay', { container: 'c' }, 'container'],
    ]
    for (const [model, extra, param] of cases) {
      const error = await failure(anthropic().messages.create({ model, ...base, ...extra } as never))
      expect(error, param).toBeInstanceOf(Anthropic.BadRequestError)
      expect(error?.error, param).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(new RegExp(`^${param.replaceAll('.', '\\.')}:`)) } })
    }
    expect(w.upstream.requests).toHaveLength(0)
  })
})

describe('bad input across formats', () => {
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${w.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const oa = { authorization: `Bearer ${RELAY_KEY}` }
  const an = { 'x-api-key': RELAY_KEY, 'anthropic-version': '2023-06-01' }

  it('answers a body of the wrong shape in the caller\'s error shape', async () => {
    const openaiBad = await post('/v1/chat/completions', { model: 'claude-relay', messages: [{ role: 'user', content: 42 }] }, oa)
    expect(openaiBad.status).toBe(400)
    expect(await openaiBad.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'messages.0.content' } })
    const anthropicBad = await post('/v1/messages', { model: 'gpt-relay', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, an)
    expect(anthropicBad.status).toBe(400)
    expect(await anthropicBad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/^messages\.0\.content\.0\.text: /) } })
    expect(w.upstream.requests).toHaveLength(0)
  })

  it('reports an upstream stream cut mid-way as the caller\'s error event (translated)', async () => {
    w.upstream.enqueue({ chunks: 6, dropAfter: 2 }, { chunks: 6, dropAfter: 2 })
    const openaiText = await (await post('/v1/chat/completions', { model: 'claude-relay', stream: true, messages: [{ role: 'user', content: 'hi' }] }, oa)).text()
    expect(openaiText).toMatch(/data: \{"error":\{"message":"[^"]*","type":"server_error"/)
    expect(openaiText).not.toContain('[DONE]')
    const anthropicText = await (await post('/v1/messages', { model: 'gemini-relay', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, an)).text()
    expect(anthropicText).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"(api_error|overloaded_error)"/)
    expect(anthropicText).not.toContain('message_stop')
  })
})
