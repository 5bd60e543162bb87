import { describe, expect, it } from 'vitest'
import { isSecretKey, redactSecrets } from '../../../src/features/audit/redact-secrets.ts'

describe('isSecretKey', () => {
  it.each([
    'password', 'newPassword', 'password_hash', 'passwd', 'apiKey', 'api_key', 'x-api-key', 'API-KEY', 'key',
    'masterKey', 'token', 'accessToken', 'refresh_token', 'secret', 'clientSecret', 'secretValue', 'authorization', 'Authorization', 'cookie',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  it.each(['tokensPerDay', 'maxTokens', 'apiKeyId', 'keys', 'keyPrefix', 'username', 'mode', 'defaultModelId', 'provider', 'from', 'to'])(
    'keeps %s',
    (key) => {
      expect(isSecretKey(key)).toBe(false)
    },
  )
})

describe('redactSecrets', () => {
  it('replaces secret values at any depth and keeps the rest', () => {
    expect(
      redactSecrets({
        apiKey: 'sk-1',
        model: { name: 'gpt', credentials: { token: 't', region: 'eu' } },
        headers: [{ authorization: 'Bearer x' }, { accept: 'json' }],
        values: { defaultUserQuota: { tokensPerDay: 5 } },
        password: { nested: 'whole value goes' },
      }),
    ).toEqual({
      apiKey: '[redacted]',
      model: { name: 'gpt', credentials: { token: '[redacted]', region: 'eu' } },
      headers: [{ authorization: '[redacted]' }, { accept: 'json' }],
      values: { defaultUserQuota: { tokensPerDay: 5 } },
      password: '[redacted]',
    })
  })

  it('does not change the caller’s object', () => {
    const metadata = { token: 't' }
    redactSecrets(metadata)
    expect(metadata).toEqual({ token: 't' })
  })

  it('stops at an absurd depth instead of walking forever', () => {
    let deep: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 50; i++) deep = { next: deep }
    expect(JSON.stringify(redactSecrets(deep))).toContain('[redacted]')
  })
})
