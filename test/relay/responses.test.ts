import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors.ts'
import { countTokens, DEFAULT_TEXT, splitText } from '../support/upstream/server.ts'
import { eventually, RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// openai.responses.create and openai.responses.stream, unchanged, against the relay, for models of
// every provider kind (the test upstream speaks Chat Completions, Messages and Gemini, tools too).

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const client = (apiKey = RELAY_KEY) => new OpenAI({ apiKey, baseURL: `${w.url}/v1`, maxRetries: 0 })
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)
const question = 'What is the capital of France?'
const MODELS = ['gpt-relay', 'claude-relay', 'gemini-relay'] as const
const CONFIG: Record<(typeof MODELS)[number], 'openai' | 'anthropic' | 'gemini'> = { 'gpt-relay': 'openai', 'claude-relay': 'anthropic', 'gemini-relay': 'gemini' }

const tools: OpenAI.Responses.FunctionTool[] = [
  { type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true },
]

/** The system prompt and the last tool result as the upstream received them, in its own dialect. */
function upstreamView(kind: 'openai' | 'anthropic' | 'gemini', body: any) {
  if (kind === 'openai') return { system: body.messages[0].content, result: body.messages.find((m: any) => m.role === 'tool') }
  if (kind === 'anthropic') return { system: body.system, result: body.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).find((b: any) => b.type === 'tool_result') }
  return { system: body.systemInstruction?.parts?.[0]?.text, result: body.contents.flatMap((c: any) => c.parts).find((p: any) => p.functionResponse) }
}

describe.each(MODELS)('OpenAI SDK -> /v1/responses -> %s', (model) => {
  const kind = CONFIG[model]

  it('answers responses.create with output_text, usage and the instructions as the system prompt', async () => {
    const { data: response, response: raw } = await client().responses.create({ model, input: question, instructions: 'Be brief.' }).withResponse()
    expect(response).toMatchObject({ object: 'response', status: 'completed', model, instructions: 'Be brief.', error: null, incomplete_details: null })
    expect(response.id).toMatch(/^resp_/)
    expect(response.output_text).toBe(DEFAULT_TEXT)
    expect(response.output).toEqual([{ id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text: DEFAULT_TEXT }] }])
    expect(response.usage).toMatchObject({ input_tokens: countTokens(['Be brief.', question]), output_tokens: 4, total_tokens: countTokens(['Be brief.', question]) + 4 })
    expect(Number(raw.headers.get('x-overhead-ms'))).toBeGreaterThanOrEqual(0)
    expect(upstreamView(kind, w.upstream.requests[0]!.body).system).toBe('Be brief.')
    expect(w.recorder.entries).toMatchObject([{ source: 'relay', status: 'complete', inputTokens: countTokens(['Be brief.', question]), outputTokens: 4, estimated: false }])
  })

  it('streams the typed response.* events in order with sequence numbers; responses.stream gives finalResponse and output_text', async () => {
    const stream = client().responses.stream({ model, input: [{ role: 'user', content: question }], max_output_tokens: 50 })
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    const final = await stream.finalResponse()
    expect(events.map((e) => e.type)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      ...splitText(DEFAULT_TEXT, 4).map(() => 'response.output_text.delta'),
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ])
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
    expect(events[0]).toMatchObject({ response: { status: 'in_progress', output: [], max_output_tokens: 50 } })
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta')
    expect(deltas.map((d) => d.delta)).toEqual(splitText(DEFAULT_TEXT, 4))
    expect(new Set(deltas.map((d) => d.item_id)).size).toBe(1)
    expect(final.output_text).toBe(DEFAULT_TEXT)
    expect(final).toMatchObject({ status: 'completed', usage: { input_tokens: countTokens([question]), output_tokens: 4 } })
    await eventually(() => expect(w.recorder.entries).toMatchObject([{ status: 'complete', outputTokens: 4, estimated: false }]))
    expect(w.gate.admitted).toMatchObject([{ maxOutputTokens: 50 }])
  })

  it('streams function calls as function_call items and takes function_call_output back', async () => {
    w.upstream.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const stream = client().responses.stream({ model, input: 'Weather in Paris?', tools, tool_choice: 'auto' })
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    const final = await stream.finalResponse()
    expect(types).toContain('response.function_call_arguments.delta')
    expect(types.slice(-3)).toEqual(['response.function_call_arguments.done', 'response.output_item.done', 'response.completed'])
    const call = final.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' })
    expect(call.id).toMatch(/^fc_/)
    if (kind === 'openai') expect(call.call_id).toBe('call_1')

    w.upstream.reset()
    const followUp = await client().responses.create({
      model,
      tools,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        // The usual client loop: the previous output items as they came back (SDK extras included), then the results.
        ...(final.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' },
      ],
    })
    expect(followUp.output_text).toBe(DEFAULT_TEXT)
    const { result } = upstreamView(kind, w.upstream.requests[0]!.body)
    if (kind === 'openai') expect(result).toEqual({ role: 'tool', tool_call_id: call.call_id, content: '{"temp":21}' })
    if (kind === 'anthropic') expect(result).toMatchObject({ type: 'tool_result', tool_use_id: call.call_id, content: '{"temp":21}' })
    if (kind === 'gemini') expect(result).toEqual({ functionResponse: { name: 'get_weather', response: { temp: 21 } } })
  })

  it('reports a cut output limit as an incomplete response', async () => {
    const response = await client().responses.create({ model, input: question, max_output_tokens: 2 })
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })
    expect(response.output_text).toBe(splitText(DEFAULT_TEXT, 4).slice(0, 2).join(''))
  })

  it('reports a stream cut mid-way as error and response.failed events, recorded as an error', async () => {
    w.upstream.enqueue({ chunks: 4, dropAfter: 2 })
    const stream = await client().responses.create({ model, input: question, stream: true })
    const events: any[] = []
    for await (const event of stream) events.push(event)
    expect(events.slice(-2).map((e) => e.type)).toEqual(['error', 'response.failed'])
    expect(events.at(-2)).toMatchObject({ code: expect.any(String), message: expect.any(String) })
    expect(events.at(-1)).toMatchObject({ response: { status: 'failed', error: { code: expect.any(String) } } })
    expect(events.filter((e) => e.type === 'response.output_text.delta')).toHaveLength(2)
    const sdk = client().responses.stream({ model, input: question })
    w.upstream.enqueue({ chunks: 4, dropAfter: 1 })
    await expect(sdk.finalResponse()).rejects.toMatchObject({ type: 'error' })
    await eventually(() => expect(w.recorder.entries.map((e) => e.status)).toEqual(['error', 'error']))
  })
})

describe('/v1/responses streams and clients', () => {
  it('closes the upstream request when the client leaves mid-stream, recorded as aborted', async () => {
    w.upstream.enqueue({ chunks: 40, delayMs: 30, text: 'x'.repeat(40) })
    const stream = await client().responses.create({ model: 'gemini-relay', input: question, stream: true })
    for await (const event of stream) if (event.type === 'response.output_text.delta') break
    await w.upstream.waitForClientClose(1)
    await eventually(() => expect(w.recorder.entries).toMatchObject([{ status: 'aborted', estimated: true }]))
    expect(w.metrics.open).toBe(0)
  })
})

describe('/v1/responses input items and refusals', () => {
  it('maps system/developer messages, assistant turns and input_text parts', async () => {
    await client().responses.create({
      model: 'claude-relay',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Bonjour', annotations: [] }] },
        { role: 'user', content: question },
      ] as OpenAI.Responses.ResponseInput,
      temperature: 0.3,
    })
    expect(w.upstream.requests[0]!.body).toMatchObject({
      system: 'Be brief.\n\nAnswer in French.',
      temperature: 0.3,
      messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Bonjour' }, { role: 'user', content: question }],
    })
  })

  it('answers several function calls as several function_call items, in order', async () => {
    for (const model of ['gpt-relay', 'claude-relay'] as const) {
      w.upstream.enqueue({ toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }, { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' }] })
      const response = await client().responses.create({ model, input: 'Weather in Paris and Rome?', tools })
      expect(response.output.map((o) => (o.type === 'function_call' ? [o.call_id, o.arguments] : o.type))).toEqual([['call_a', '{"city":"Paris"}'], ['call_b', '{"city":"Rome"}']])
      expect(new Set(response.output.map((o) => o.id)).size).toBe(2)
    }
  })

  it('maps text.format json_schema to each kind\'s JSON mode, and images in user input', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }
    const format = { type: 'json_schema' as const, name: 'answer', schema, strict: true }
    await client().responses.create({ model: 'gpt-relay', input: question, text: { format } })
    expect(w.upstream.requests[0]!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } })
    w.upstream.enqueue({ toolCalls: [{ name: 'json_answer', arguments: '{"city":"Paris"}' }] })
    const claude = await client().responses.create({ model: 'claude-relay', input: question, text: { format } })
    expect(claude.output_text).toBe('{"city":"Paris"}')
    expect(claude.text).toEqual({ format })
    w.upstream.reset()
    await client().responses.create({
      model: 'gemini-relay',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' }] }],
    })
    expect((w.upstream.requests[0]!.body as any).contents[0].parts).toEqual([{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }])
  })

  it('refuses unmappable fields with a 400 naming the field, before admission and any upstream call', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
      [{ reasoning: { effort: 'high' } }, 'reasoning'],
      [{ store: true }, 'store'],
      [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ input: [{ type: 'reasoning', summary: [] }] }, 'input[0].type'],
      [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'input[0].content[0].type'],
      [{ input: [{ role: 'robot', content: 'hi' }] }, 'input[0].role'],
      [{ input: 42 }, 'input'],
      [{ temperature: 'hot' }, 'temperature'],
      [{ text: { format: { type: 'grammar' } } }, 'text.format.type'],
    ]
    for (const [fields, param] of cases) {
      const error = await failure(client().responses.create({ model: 'gpt-relay', input: question, ...fields } as never))
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError)
      expect(error, param).toMatchObject({ status: 400, param, type: 'invalid_request_error' })
    }
    const parallel = await failure(client().responses.create({ model: 'gemini-relay', input: question, tools, parallel_tool_calls: false }))
    expect(parallel).toMatchObject({ status: 400, param: 'parallel_tool_calls' })
    expect(parallel?.message).toContain('Gemini models cannot be limited to one tool call per answer')
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(0)
  })

  it('answers unknown models, bad keys, bad JSON, huge bodies and our limits in the OpenAI error shape', async () => {
    const missing = await failure(client().responses.create({ model: 'no-such-model', input: 'hi' }))
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    expect(missing).toMatchObject({ code: 'model_not_found', param: 'model' })
    expect(await failure(client('sk-nope').responses.create({ model: 'gpt-relay', input: 'hi' }))).toBeInstanceOf(OpenAI.AuthenticationError)
    const post = (body: string) => fetch(`${w.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${RELAY_KEY}`, 'content-type': 'application/json' }, body })
    const notJson = await post('{"model": "gpt-relay",')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toEqual({ error: { message: expect.stringContaining('JSON'), type: 'invalid_request_error', param: null, code: null } })
    const notShape = await post(JSON.stringify({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(notShape.status).toBe(400)
    expect(await notShape.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'messages' } })
    const huge = await post(JSON.stringify({ model: 'gpt-relay', input: 'x'.repeat(9 * 1024 * 1024) }))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
    w.gate.rejectNext(new AppError('QUOTA_EXCEEDED', 'Daily token quota used up', undefined, 3600))
    const quota = await failure(client().responses.create({ model: 'gpt-relay', input: 'hi' }))
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota' })
    expect(w.upstream.requests).toHaveLength(0)
  })

  it('keeps the provider meaning of upstream errors before the stream', async () => {
    w.upstream.enqueue({ fail: 'context_length', contextWindow: 8 })
    const long = await failure(client().responses.create({ model: 'claude-relay', input: 'x'.repeat(100), stream: true }))
    expect(long).toBeInstanceOf(OpenAI.BadRequestError)
    expect(long).toMatchObject({ code: 'context_length_exceeded' })
    w.upstream.enqueue({ fail: 'overloaded' }, {})
    const retried = await client().responses.create({ model: 'gpt-relay', input: 'hi' })
    expect(retried.output_text).toBe(DEFAULT_TEXT)
  })

  it('is documented in /openapi.json with the platform key', async () => {
    const doc = (await (await fetch(`${w.url}/openapi.json`)).json()) as { paths: Record<string, { post?: { security?: unknown } }> }
    expect(doc.paths['/v1/responses']?.post?.security).toEqual([{ platformKey: [] }])
  })
})
