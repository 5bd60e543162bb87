import { describe, expect, it } from 'vitest'
import { parseRateLimitReset } from '../../../src/features/providers/adapters/provider-errors.ts'
import { anthropicDialect } from '../../../src/features/providers/adapters/dialects/anthropic.dialect.ts'
import { geminiDialect } from '../../../src/features/providers/adapters/dialects/gemini.dialect.ts'
import { openAiDialect } from '../../../src/features/providers/adapters/dialects/openai.dialect.ts'

const apiKey = { type: 'api_key' as const, secret: 'sk-secret' }
const oauth = { type: 'oauth' as const, secret: 'oauth-access', projectId: 'proj-1' }

describe('dialect auth headers', () => {
  it('Anthropic: x-api-key for keys; bearer and the oauth beta (merged with the client flags) for OAuth tokens', () => {
    expect(anthropicDialect.headers(apiKey)).toEqual({ 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-secret' })
    expect(anthropicDialect.headers(oauth, 'prompt-caching-2024-07-31, oauth-2025-04-20')).toEqual({
      'anthropic-version': '2023-06-01',
      authorization: 'Bearer oauth-access',
      'anthropic-beta': 'oauth-2025-04-20,prompt-caching-2024-07-31',
    })
  })

  it('OpenAI: bearer, and nothing for a keyless server', () => {
    expect(openAiDialect.headers(apiKey)).toEqual({ authorization: 'Bearer sk-secret' })
    expect(openAiDialect.headers({ type: 'api_key', secret: '' })).toEqual({})
  })

  it('Gemini: x-goog-api-key for keys; bearer for OAuth', () => {
    expect(geminiDialect.headers(apiKey)).toEqual({ 'x-goog-api-key': 'sk-secret' })
    expect(geminiDialect.headers(oauth)).toEqual({ authorization: 'Bearer oauth-access' })
  })
})

describe('Gemini Code Assist (OAuth accounts)', () => {
  it('goes to v1internal with the body wrapped as {model, project, request}', () => {
    expect(geminiDialect.completionUrl('https://cloudcode-pa.googleapis.com/', 'models/gemini-2.5-pro', true, oauth)).toBe(
      'https://cloudcode-pa.googleapis.com/v1internal:streamGenerateContent?alt=sse',
    )
    expect(geminiDialect.completionUrl('https://g.example', 'gemini-2.5-pro', true, apiKey)).toBe('https://g.example/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
    expect(geminiDialect.wrapBody!({ contents: [] }, 'models/gemini-2.5-pro', oauth)).toEqual({ model: 'gemini-2.5-pro', project: 'proj-1', request: { contents: [] } })
    expect(geminiDialect.wrapBody!({ contents: [] }, 'gemini-2.5-pro', apiKey)).toEqual({ contents: [] })
  })

  it('unwraps {response: chunk}', () => {
    const decoder = geminiDialect.decoder('s', oauth)
    const chunk = { response: { candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 } } }
    expect(decoder.push({ kind: 'event', event: undefined, data: JSON.stringify(chunk), id: undefined })).toEqual([{ type: 'delta', text: 'Hi' }])
    expect(decoder.end()).toEqual([
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 1, cachedTokens: undefined, reasoningTokens: undefined } },
      { type: 'finish', reason: 'stop', rawReason: 'STOP' },
    ])
  })
})

describe('parseRateLimitReset', () => {
  it('reads Anthropic unified (epoch seconds) and RFC 3339 resets, the latest wins', () => {
    const now = Date.UTC(2026, 11, 7, 12)
    const headers = new Headers({
      'anthropic-ratelimit-unified-reset': String(now / 1000 + 300),
      'anthropic-ratelimit-requests-reset': new Date(now + 60_000).toISOString(),
    })
    expect(parseRateLimitReset(headers, now)).toBe(300)
    expect(parseRateLimitReset(new Headers(), now)).toBeUndefined()
  })
})
