import { describe, expect, it } from 'vitest'
import { ResponseWriter } from '../../../src/features/relay/responses/response-writer.ts'
import type { ResponseEcho } from '../../../src/features/relay/responses/responses-request.ts'

const echo: ResponseEcho = { instructions: null, maxOutputTokens: null, temperature: null, topP: null, toolChoice: 'auto', tools: [], parallelToolCalls: true, text: { format: { type: 'text' } }, user: null, metadata: {} }

const events = (sse: string) =>
  sse.split('\n\n').filter(Boolean).map((block) => {
    const [event, data] = block.split('\n')
    const parsed = JSON.parse(data!.slice('data: '.length)) as { type: string; sequence_number: number; output_index?: number }
    expect(event).toBe(`event: ${parsed.type}`)
    return parsed
  })

describe('ResponseWriter', () => {
  it('closes each output item before the next one starts, and numbers every event', () => {
    const w = new ResponseWriter('m', echo)
    const sse =
      w.start() +
      w.take({ type: 'delta', text: 'Let me check.' }) +
      w.take({ type: 'tool_call', index: 0, id: 'call_1', name: 'f', argumentsDelta: '{"a":' }) +
      w.take({ type: 'tool_call', index: 0, argumentsDelta: '1}' }) +
      w.take({ type: 'delta', text: 'Done' }) +
      w.end('stop', { inputTokens: 5, outputTokens: 3 })
    const all = events(sse)
    expect(all.map((e) => [e.type, e.output_index])).toEqual([
      ['response.created', undefined], ['response.in_progress', undefined],
      ['response.output_item.added', 0], ['response.content_part.added', 0], ['response.output_text.delta', 0],
      ['response.output_text.done', 0], ['response.content_part.done', 0], ['response.output_item.done', 0],
      ['response.output_item.added', 1], ['response.function_call_arguments.delta', 1], ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1], ['response.output_item.done', 1],
      ['response.output_item.added', 2], ['response.content_part.added', 2], ['response.output_text.delta', 2],
      ['response.output_text.done', 2], ['response.content_part.done', 2], ['response.output_item.done', 2],
      ['response.completed', undefined],
    ])
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i))
    expect(w.response()).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ text: 'Let me check.' }] }, { type: 'function_call', call_id: 'call_1', arguments: '{"a":1}', status: 'completed' }, { type: 'message', content: [{ text: 'Done' }] }],
      usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 },
    })
  })

  it('fails with an error event, then response.failed with the open item incomplete', () => {
    const w = new ResponseWriter('m', echo)
    w.start()
    w.take({ type: 'delta', text: 'Hel' })
    const all = events(w.fail({ code: 'server_error', message: 'upstream cut', param: null }, { inputTokens: 1, outputTokens: 1 }))
    expect(all.map((e) => e.type)).toEqual(['error', 'response.failed'])
    expect(all[0]).toMatchObject({ code: 'server_error', message: 'upstream cut', param: null })
    expect(w.response()).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'upstream cut' }, output: [{ status: 'incomplete', content: [{ text: 'Hel' }] }] })
  })
})
