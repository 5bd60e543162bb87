import { describe, expect, it } from 'vitest'
import { REDACTED, redactPath } from '../../../src/shared/http/redact-path.ts'

describe('redactPath', () => {
  it.each([
    ['/v1/models/sk-k3x9a0qz_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd', `/v1/models/${REDACTED}`],
    ['/api/keys/rt_Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg/x', `/api/keys/${REDACTED}/x`],
    ['/api/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl/me', `/api/${REDACTED}/me`],
    ['/v1/AIzaSyA-1234567890abcdefghijklmnopqrstu', `/v1/${REDACTED}`],
    ['/v1/sk-ant-api03-abcdefghijklmnop/models', `/v1/${REDACTED}/models`],
    ['/x/0123456789abcdef0123456789abcdef', `/x/${REDACTED}`],
    ['/x/ghp_abcdefghijklmnopqrstuvwxyz0123456789', `/x/${REDACTED}`],
  ])('redacts a credential-like segment: %s', (path, expected) => {
    expect(redactPath(path)).toBe(expected)
  })

  it.each([
    '/api/sessions/01a250b1-a92c-7000-8721-1a7f17b2f370/messages',
    '/v1/models/claude-sonnet-4-5-20250929',
    '/v1/models/gpt-4o-mini',
    '/v1/models/meta-llama/Llama-3.1-70B-Instruct',
    '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    '/api/admin/accounts/oauth/authorize',
    '/no/such/route',
    '/',
  ])('keeps ids, model names and routes: %s', (path) => {
    expect(redactPath(path)).toBe(path)
  })
})
