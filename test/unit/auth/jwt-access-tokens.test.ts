import jwt from 'jsonwebtoken'
import { describe, expect, it } from 'vitest'
import { JwtAccessTokens } from '../../../src/features/auth/adapters/jwt-access-tokens.ts'
import { InvalidToken } from '../../../src/features/auth/auth.errors.ts'

const SECRET = 'a-jwt-secret-of-reasonable-length-for-tests'
const claims = { userId: 'u1', username: 'alice', role: 'USER' as const, tokenVersion: 0, familyId: 'f1' }

describe('JwtAccessTokens', () => {
  it('verifies what it issues', () => {
    const tokens = new JwtAccessTokens(SECRET, 60)
    expect(tokens.verify(tokens.issue(claims).token)).toEqual(claims)
  })

  it('accepts tokens signed with the same secret as a plain string (tokens issued before an upgrade)', () => {
    const token = jwt.sign({ name: 'alice', role: 'USER', ver: 0, fam: 'f1' }, SECRET, { algorithm: 'HS256', expiresIn: 60, issuer: 'chatbase', audience: 'chatbase-api', subject: 'u1' })
    expect(new JwtAccessTokens(SECRET, 60).verify(token)).toEqual(claims)
  })

  it('refuses a token signed with another secret', () => {
    const token = new JwtAccessTokens(`${SECRET}-other`, 60).issue(claims).token
    expect(() => new JwtAccessTokens(SECRET, 60).verify(token)).toThrow(InvalidToken)
  })
})
