import { describe, expect, it } from 'vitest'
import { defaultBaseUrl, findKnownModel, KNOWN_MODELS } from '../../src/features/providers/provider-catalog.ts'

describe('provider catalog', () => {
  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
    ['anthropic/claude-opus-4', 'claude-opus-4'],
    ['DeepSeek-Chat', 'deepseek-chat'],
  ])('finds %s as %s', (query, id) => {
    expect(findKnownModel(query)?.id).toBe(id)
  })

  it('returns undefined for unknown models and does not match on bare prefixes', () => {
    expect(findKnownModel('llama-3.1-70b')).toBeUndefined()
    expect(findKnownModel('o30')).toBeUndefined()
  })

  it('has sane figures and unique ids', () => {
    expect(new Set(KNOWN_MODELS.map((m) => m.id)).size).toBe(KNOWN_MODELS.length)
    for (const m of KNOWN_MODELS) expect(m.maxOutputTokens).toBeLessThanOrEqual(m.contextWindow)
    expect(findKnownModel('claude-sonnet-4')).toMatchObject({ provider: 'anthropic', contextWindow: 200_000, maxOutputTokens: 64_000 })
  })

  it('knows each kind’s default base URL', () => {
    expect(defaultBaseUrl('openai')).toBe('https://api.openai.com/v1')
    expect(defaultBaseUrl('anthropic')).toBe('https://api.anthropic.com')
    expect(defaultBaseUrl('gemini')).toBe('https://generativelanguage.googleapis.com')
  })
})
