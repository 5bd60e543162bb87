import { describe, expect, it } from 'vitest'
import { encodingForModel, MESSAGE_OVERHEAD_TOKENS, segmentsOf, TiktokenTokenCounter } from '../../../src/features/chat/adapters/tiktoken-token-counter.ts'

const CJK = '东京春天的天气温和，樱花在四月初盛开。'

describe('TiktokenTokenCounter', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['GPT-5-mini', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-high', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['ft:gpt-4o-mini:acme::abc123', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['claude-sonnet-4-5', 'cl100k_base'],
    ['gemini-2.5-flash', 'cl100k_base'],
    ['llama3.1:8b', 'cl100k_base'],
    ['o1x-custom', 'cl100k_base'],
  ])('%s is counted with %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding)
  })

  it('counts like the model tokenizer, and adds the per-message overhead', () => {
    const counter = new TiktokenTokenCounter()
    expect(counter.count('tiktoken is great!', 'gpt-4')).toBe(6)
    expect(counter.count(CJK, 'gpt-4')).toBe(26)
    expect(counter.count(CJK, 'gpt-4o')).toBe(18)
    expect(counter.countMessage(CJK, 'gpt-4o')).toBe(18 + MESSAGE_OVERHEAD_TOKENS)
    expect(MESSAGE_OVERHEAD_TOKENS).toBe(3)
    expect(counter.count('', 'gpt-4o')).toBe(0)
    expect(counter.countMessage('', 'gpt-4o')).toBe(3)
  })

  it('treats special-token text as ordinary user text instead of throwing', () => {
    expect(new TiktokenTokenCounter().count('<|endoftext|>', 'gpt-4o')).toBe(7)
  })

  it('shares the loaded encoders between instances', () => {
    const warm = new TiktokenTokenCounter()
    warm.count('warm up', 'gpt-4o')
    const started = performance.now()
    new TiktokenTokenCounter().count('hello', 'gpt-4o')
    expect(performance.now() - started).toBeLessThan(100) // loading o200k takes ~300 ms
  })

  it('slices only pathological runs, code point by code point', () => {
    const prose = `${'word '.repeat(200)}${CJK.repeat(10)}`
    expect(segmentsOf(prose)).toEqual([prose])
    expect(segmentsOf(`x ${'='.repeat(300)} y`).map((s) => s.length)).toEqual([2, 128, 128, 44, 2])
    const emoji = segmentsOf('😀'.repeat(300))
    expect(emoji.map((s) => [...s].length)).toEqual([128, 128, 44])
    expect(emoji.join('')).toBe('😀'.repeat(300))
  })

  it('counts a huge unbroken run in linear time, within a fraction of a percent', () => {
    const counter = new TiktokenTokenCounter()
    counter.count('warm up', 'gpt-4o')
    const started = performance.now()
    const tokens = counter.count('='.repeat(100_000) + 'a'.repeat(100_000), 'gpt-4o')
    expect(performance.now() - started).toBeLessThan(5_000) // unsliced: over a minute
    expect(tokens).toBeGreaterThan(1_500 + 12_400)
    expect(tokens).toBeLessThan(1_600 + 12_600)
  })
})
