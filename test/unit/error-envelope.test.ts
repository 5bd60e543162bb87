import { Redis } from 'ioredis'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { toAppError } from '../../src/shared/http/error-envelope.ts'

describe('toAppError', () => {
  it('answers a Redis that cannot be reached with 503, not a 500 bug', async () => {
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => 10, lazyConnect: true })
    redis.on('error', () => undefined)
    const err = await redis.get('x').catch((e: unknown) => e)
    redis.disconnect()
    expect(toAppError(err)).toMatchObject({ unexpected: false, appError: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 } })
  })

  it('keeps unknown errors generic and marks them unexpected', () => {
    const { appError, unexpected } = toAppError(new Error('secret detail at /srv/app.ts:12'))
    expect(unexpected).toBe(true)
    expect(appError).toMatchObject({ code: 'INTERNAL', message: 'Internal server error' })
  })

  it('maps framework errors to codes', () => {
    expect(toAppError(new HTTPException(400, { message: 'Malformed JSON in request body' })).appError.code).toBe('INVALID_JSON')
    expect(toAppError(new HTTPException(413)).appError.code).toBe('PAYLOAD_TOO_LARGE')
  })
})
