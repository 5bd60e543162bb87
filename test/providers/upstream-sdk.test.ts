import Anthropic, { type APIError as AnthropicApiError } from '@anthropic-ai/sdk'
import { ApiError, GoogleGenAI } from '@google/genai'
import OpenAI, { type APIError as OpenAiApiError } from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { countTokens, DEFAULT_TEXT, splitText, startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

// The official SDKs as clients prove the test upstream speaks the real wire formats.

let upstream: Upstream
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())
afterEach(() => upstream.reset())

const question = 'What is the capital of France?'

describe('OpenAI SDK against the upstream', () => {
  const client = (apiKey = UPSTREAM_KEY) => new OpenAI({ apiKey, baseURL: `${upstream.url}/v1`, maxRetries: 0 })

  it('streams chunks with include_usage', async () => {
    upstream.enqueue({ chunks: 3, cachedTokens: 2, reasoningTokens: 5 })
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | null | undefined
    let contentChunks = 0
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (choice?.delta.content) {
        text += choice.delta.content
        contentChunks++
      }
      if (choice?.finish_reason) finish = choice.finish_reason
      if (chunk.usage) usage = chunk.usage
      else expect(chunk.usage).toBeNull()
    }
    expect(text).toBe(DEFAULT_TEXT)
    expect(contentChunks).toBe(3)
    expect(finish).toBe('stop')
    expect(usage).toMatchObject({
      prompt_tokens: countTokens(['Be brief.', question]),
      completion_tokens: 3 + 5,
      prompt_tokens_details: { cached_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 5 },
    })
    expect(upstream.requests[0]).toMatchObject({ dialect: 'openai', path: '/v1/chat/completions', headers: { authorization: `Bearer ${UPSTREAM_KEY}` } })
  })

  it('answers non-streaming requests', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], max_tokens: 2 })
    expect(completion.choices[0]?.message.content).toBe(splitText(DEFAULT_TEXT, 4).slice(0, 2).join(''))
    expect(completion.choices[0]?.finish_reason).toBe('length')
    expect(completion.usage?.completion_tokens).toBe(2)
  })

  it('rejects a wrong key with AuthenticationError', async () => {
    const error = await client('sk-wrong-key-123456').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' })
  })

  it('reports 429 as RateLimitError with retry-after, and insufficient_quota by code', async () => {
    upstream.enqueue({ fail: 'rate_limit', retryAfter: 7 }, { fail: 'quota' })
    const limited = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect((limited as OpenAiApiError).headers?.get('retry-after')).toBe('7')
    expect((limited as OpenAiApiError).code).toBe('rate_limit_exceeded')
    const quota = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota' })
  })

  it('reports context overflow as BadRequestError with the real message', async () => {
    upstream.enqueue({ fail: 'context_length', contextWindow: 8 })
    const error = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(100) }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect((error as OpenAiApiError).code).toBe('context_length_exceeded')
    expect((error as Error).message).toContain("This model's maximum context length is 8 tokens. However, your messages resulted in 25 tokens.")
  })

  it('surfaces a mid-stream error chunk as APIError after the first deltas', async () => {
    upstream.enqueue({ chunks: 4, midStreamErrorAfter: 2, midStreamError: 'server' })
    const stream = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect((error as Error).message).toContain('The server had an error')
    expect(text.length).toBeGreaterThan(0)
  })
})

describe('Anthropic SDK against the upstream', () => {
  const client = (apiKey = UPSTREAM_KEY) => new Anthropic({ apiKey, baseURL: upstream.url, maxRetries: 0 })

  it('streams with messages.stream and reports the final usage', async () => {
    upstream.enqueue({ chunks: 5, cachedTokens: 3, heartbeat: true })
    const stream = client().messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: question }] })
    const deltas: string[] = []
    stream.on('text', (text) => deltas.push(text))
    const message = await stream.finalMessage()
    expect(deltas).toHaveLength(5)
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }])
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage).toMatchObject({ input_tokens: countTokens(['Be brief.', question]) - 3, cache_read_input_tokens: 3, output_tokens: 5 })
    expect(upstream.requests[0]?.headers).toMatchObject({ 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' })
  })

  it('streams with create({ stream: true }) and CRLF framing', async () => {
    upstream.enqueue({ chunks: 2, lineEnding: '\r\n' })
    const stream = await client().messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: [{ role: 'user', content: question }], stream: true })
    const types: string[] = []
    let outputTokens = 0
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens
    }
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
    expect(outputTokens).toBe(2)
  })

  it('answers non-streaming requests', async () => {
    const message = await client().messages.create({ model: 'claude-opus-4', max_tokens: 100, messages: [{ role: 'user', content: question }] })
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: DEFAULT_TEXT }] })
  })

  it('maps errors to the SDK error classes', async () => {
    const auth = await client('wrong-key-abcdef').messages.create({ model: 'claude-opus-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError)
    expect((auth as AnthropicApiError).error).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })

    upstream.enqueue({ fail: 'rate_limit', retryAfter: 3 }, { fail: 'overloaded' }, { fail: 'context_length', contextWindow: 10 })
    const limited = await client().messages.create({ model: 'claude-opus-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect((limited as AnthropicApiError).headers?.get('retry-after')).toBe('3')
    const overloaded = await client().messages.create({ model: 'claude-opus-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(overloaded).toMatchObject({ status: 529, error: { error: { type: 'overloaded_error' } } })
    const long = await client().messages.create({ model: 'claude-opus-4', max_tokens: 10, messages: [{ role: 'user', content: 'x'.repeat(80) }] }).catch((e: unknown) => e)
    expect(long).toBeInstanceOf(Anthropic.BadRequestError)
    expect((long as Error).message).toContain('prompt is too long: 20 tokens > 10 maximum')
  })

  it('throws the mid-stream error event', async () => {
    upstream.enqueue({ chunks: 4, midStreamErrorAfter: 1, midStreamError: 'overloaded' })
    const stream = client().messages.stream({ model: 'claude-opus-4', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    const error = await stream.finalMessage().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.APIError)
    expect((error as AnthropicApiError).error).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } })
  })
})

describe('Google GenAI SDK against the upstream', () => {
  const client = (apiKey = UPSTREAM_KEY) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: upstream.url } })

  it('streams with generateContentStream (cumulative usageMetadata)', async () => {
    upstream.enqueue({ chunks: 3, reasoningTokens: 4 })
    const stream = await client().models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: question }] }],
      config: { systemInstruction: 'Be brief.', maxOutputTokens: 50 },
    })
    let text = ''
    const counts: Array<number | undefined> = []
    let finish: string | undefined
    for await (const chunk of stream) {
      text += chunk.text ?? ''
      counts.push(chunk.usageMetadata?.candidatesTokenCount)
      finish = chunk.candidates?.[0]?.finishReason ?? finish
    }
    expect(text).toBe(DEFAULT_TEXT)
    expect(counts).toEqual([1, 2, 3])
    expect(finish).toBe('STOP')
    const request = upstream.requests[0]
    expect(request?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(request?.headers['x-goog-api-key']).toBe(UPSTREAM_KEY)
    expect(request?.body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 50 } })
  })

  it('answers generateContent and reports a blocked prompt', async () => {
    const response = await client().models.generateContent({ model: 'gemini-2.5-pro', contents: question })
    expect(response.text).toBe(DEFAULT_TEXT)
    expect(response.usageMetadata?.candidatesTokenCount).toBe(4)
    upstream.enqueue({ blocked: true })
    const blocked = await client().models.generateContent({ model: 'gemini-2.5-pro', contents: question })
    expect(blocked.candidates).toBeUndefined()
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY')
  })

  it('reports errors as ApiError with the status', async () => {
    const auth = await client('AIza-wrong-key').models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' }).catch((e: unknown) => e)
    expect(auth).toBeInstanceOf(ApiError)
    expect((auth as ApiError).status).toBe(400)
    expect((auth as Error).message).toContain('API_KEY_INVALID')
    upstream.enqueue({ fail: 'overloaded' }, { fail: 'context_length', contextWindow: 5 })
    const overloaded = await client().models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'hi' }).catch((e: unknown) => e)
    expect((overloaded as ApiError).status).toBe(503)
    const long = await client().models.generateContent({ model: 'gemini-2.5-pro', contents: 'x'.repeat(40) }).catch((e: unknown) => e)
    expect((long as Error).message).toContain('The input token count (10) exceeds the maximum number of tokens allowed (5).')
  })

  it('answers with function calls, streamed and not, and checks function responses against the calls', async () => {
    const toolCalls = [{ name: 'get_weather', arguments: '{"city":"Paris"}' }]
    upstream.enqueue({ toolCalls }, { toolCalls })
    const response = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather in Paris?' })
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }])
    expect(response.candidates?.[0]?.finishReason).toBe('STOP')
    const calls = []
    for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Weather in Paris?' })) calls.push(...(chunk.functionCalls ?? []))
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }])
    const unanswered = await client().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }, { role: 'model', parts: [{ text: 'no call' }] }, { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: {} } }] }],
    }).catch((e: unknown) => e)
    expect((unanswered as ApiError).status).toBe(400)
  })

  it('throws a raw mid-stream error body as ApiError', async () => {
    upstream.enqueue({ chunks: 4, delayMs: 20, midStreamErrorAfter: 2, midStreamError: 'overloaded' })
    const stream = await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.text ?? ''
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(503)
    expect(text.length).toBeGreaterThan(0)
  })
})

describe('upstream scenario selection and options', () => {
  const ask = (model: string, content = 'hi', apiKey = UPSTREAM_KEY, url = upstream.url) =>
    new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content }] })

  it('takes the FIFO queue first, then the per-model scenario, then the default', async () => {
    upstream.setDefault({ text: 'default' })
    upstream.forModel('special', { text: 'special' })
    upstream.enqueue({ text: 'queued' })
    const answers = []
    for (const model of ['special', 'special', 'other']) answers.push((await ask(model)).choices[0]?.message.content)
    expect(answers).toEqual(['queued', 'special', 'default'])
  })

  it('echoes the last user message and records every request', async () => {
    upstream.setDefault({ echo: true })
    expect((await ask('gpt-4o', 'repeat me')).choices[0]?.message.content).toBe('repeat me')
    expect(upstream.requests).toHaveLength(1)
    expect(upstream.requests[0]).toMatchObject({ method: 'POST', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'repeat me' }] } })
  })

  it('accepts configured keys and enforces an optional context window', async () => {
    const custom = await startUpstream({ keys: ['key-a'], contextWindow: 4 })
    try {
      expect((await ask('gpt-4o', 'short', 'key-a', custom.url)).choices[0]?.message.content).toBe(DEFAULT_TEXT)
      await expect(ask('gpt-4o', 'hi', UPSTREAM_KEY, custom.url)).rejects.toBeInstanceOf(OpenAI.AuthenticationError)
      await expect(ask('gpt-4o', 'x'.repeat(40), 'key-a', custom.url)).rejects.toThrow('maximum context length is 4 tokens. However, your messages resulted in 10 tokens')
    } finally {
      await custom.close()
    }
  })

  it('gemini: accepts ?key= and streams a JSON array without alt=sse', async () => {
    upstream.enqueue({ chunks: 2 })
    const response = await fetch(`${upstream.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=${UPSTREAM_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    })
    const chunks = (await response.json()) as Array<{ candidates: Array<{ finishReason?: string }> }>
    expect(chunks).toHaveLength(2)
    expect(chunks[1]?.candidates[0]?.finishReason).toBe('STOP')
  })
})
