import { describe, expect, it } from 'vitest'
import { parseResponsesCall } from '../../../src/features/relay/responses/responses-request.ts'

const parse = (body: Record<string, unknown>) => parseResponsesCall({ model: 'm', ...body }, 100)

describe('parseResponsesCall', () => {
  it('keeps an assistant text and its function calls in one turn, and consecutive results in one user turn', () => {
    const call = parse({
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'Sunny' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'Rain' }] },
      ],
    })
    expect(call.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        parts: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'c2', name: 'w', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'user', content: '', parts: [{ type: 'tool_result', toolCallId: 'c1', content: 'Sunny' }, { type: 'tool_result', toolCallId: 'c2', content: 'Rain' }] },
    ])
  })

  it('echoes what the Response object repeats, with OpenAI defaults', () => {
    expect(parse({ input: 'hi' }).echo).toEqual({
      instructions: null, maxOutputTokens: null, temperature: null, topP: null, toolChoice: 'auto', tools: [], parallelToolCalls: true,
      text: { format: { type: 'text' } }, user: null, metadata: {},
    })
    const call = parse({ input: 'hi', user: 'u1', prompt_cache_key: 'k', metadata: { a: 'b' }, parallel_tool_calls: false, tool_choice: { type: 'function', name: 'w' } })
    expect(call).toMatchObject({ conversationId: 'u1', parallelToolCalls: false, toolChoice: { type: 'tool', name: 'w' }, echo: { metadata: { a: 'b' }, user: 'u1' } })
  })

  it.each([
    [{ input: [] }, 'input'],
    [{ input: 'hi', include: ['reasoning.encrypted_content'] }, 'include'],
    [{ input: 'hi', text: { format: { type: 'text' }, verbosity: 'low' } }, 'text.verbosity'],
    [{ input: 'hi', truncation: 'auto' }, 'truncation'],
    [{ input: [{ type: 'function_call', name: 'w', arguments: '{}' }, { role: 'user', content: 'hi' }] }, 'input[0].call_id'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'input[0].content[0].file_id'],
    [{ input: [{ role: 'assistant', content: [{ type: 'input_text', text: 'x' }] }, { role: 'user', content: 'hi' }] }, 'input[0].content[0].type'],
    [{ input: 'hi', max_output_tokens: 0 }, 'max_output_tokens'],
    [{ input: 'hi', metadata: { a: 1 } }, 'metadata'],
  ])('refuses %j naming %s', (body, param) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: { param } }))
  })
})
