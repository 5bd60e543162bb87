import { describe, expect, it } from 'vitest'
import { StreamScanner } from '../../src/features/relay/stream-scanner.ts'

const chunk = (choices: unknown[], usage: unknown = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices, usage })}\n\n`
const OPENAI = [
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
  chunk([{ index: 0, delta: { content: 'Hel' }, finish_reason: null }]),
  chunk([{ index: 0, delta: { content: 'lo' }, finish_reason: null }]),
  chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
  chunk([], { prompt_tokens: 7, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 1 } }),
  'data: [DONE]\n\n',
].join('')

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
const ANTHROPIC = [
  ev('message_start', { message: { usage: { input_tokens: 5, cache_read_input_tokens: 2, output_tokens: 1 } } }),
  ev('content_block_start', { index: 0 }),
  ev('ping', {}),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
  ev('message_stop', {}),
].join('')

function run(dialect: 'openai' | 'anthropic', text: string, pieceSize: number, stripUsage = false) {
  let firstTokens = 0
  const scanner = new StreamScanner(dialect, { stripUsage, beforeEnd: () => ': overhead-ms=1\n\n', onFirstToken: () => firstTokens++ })
  const bytes = Buffer.from(text)
  let out = ''
  for (let at = 0; at < bytes.length; at += pieceSize) {
    for (const piece of scanner.push(bytes.subarray(at, at + pieceSize))) out += Buffer.from(piece).toString()
  }
  for (const piece of scanner.flush()) out += Buffer.from(piece).toString()
  return { out, tally: scanner.tally, firstTokens }
}

describe('StreamScanner', () => {
  it.each([1, 7, 64, 100_000])('forwards an OpenAI stream unchanged (pieces of %i bytes), reading usage and the end', (size) => {
    const { out, tally, firstTokens } = run('openai', OPENAI, size)
    expect(out).toBe(OPENAI.replace('data: [DONE]', ': overhead-ms=1\n\ndata: [DONE]'))
    expect(tally).toMatchObject({ ended: true, usage: { inputTokens: 7, outputTokens: 2, cachedTokens: 1 } })
    expect(firstTokens).toBe(1)
  })

  it('drops the usage-only chunk when the client did not ask for it', () => {
    const { out, tally } = run('openai', OPENAI, 50, true)
    expect(out).not.toContain('prompt_tokens')
    expect(out).toContain('"finish_reason":"stop"')
    expect(tally.usage?.outputTokens).toBe(2)
  })

  it('notices an in-stream error and a missing terminator', () => {
    const text = OPENAI.slice(0, OPENAI.indexOf('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{}')) + 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'
    const { tally, out } = run('openai', text, 13)
    expect(tally).toMatchObject({ ended: false, error: 'boom' })
    expect(out).toBe(text)
  })

  it('does not take the text "error" in content for an error', () => {
    const text = chunk([{ index: 0, delta: { content: 'an "error" here' } }]) + 'data: [DONE]\n\n'
    const { tally } = run('openai', text, 9)
    expect(tally.ended).toBe(true)
    expect(tally.error).toBeUndefined()
  })

  it.each(['\r\n', '\r'])('accepts %j line endings', (eol) => {
    const text = OPENAI.replaceAll('\n', eol)
    const { out, tally } = run('openai', text, 11)
    expect(out).toBe(text.replace('data: [DONE]', ': overhead-ms=1\n\ndata: [DONE]'))
    expect(tally.ended).toBe(true)
    expect(tally.usage?.inputTokens).toBe(7)
  })

  it.each([1, 17, 100_000])('forwards an Anthropic stream unchanged (pieces of %i bytes), merging cumulative usage', (size) => {
    const { out, tally, firstTokens } = run('anthropic', ANTHROPIC, size)
    expect(out).toBe(ANTHROPIC.replace('event: message_stop', ': overhead-ms=1\n\nevent: message_stop'))
    expect(tally).toMatchObject({ ended: true, deltas: 1, usage: { inputTokens: 7, cachedTokens: 2, outputTokens: 3 } })
    expect(firstTokens).toBe(1)
  })

  it('keeps an unterminated tail for flush', () => {
    const { out, tally } = run('anthropic', ANTHROPIC.slice(0, -5), 10)
    expect(out).toBe(ANTHROPIC.slice(0, -5))
    expect(tally.ended).toBe(false)
  })
})
