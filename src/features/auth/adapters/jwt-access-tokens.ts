import { createSecretKey, type KeyObject } from 'node:crypto'
import jwt from 'jsonwebtoken'
import { z } from 'zod'
import type { AccessClaims, AccessTokens, IssuedAccessToken } from '../access-tokens.port.ts'
import { InvalidToken, TokenExpired } from '../auth.errors.ts'

const ISSUER = 'chatbase'
const AUDIENCE = 'chatbase-api'

const payloadSchema = z.object({
  sub: z.string(),
  name: z.string(),
  role: z.enum(['ADMIN', 'USER']),
  ver: z.number().int(),
  fam: z.string(),
})

/** HS256 access tokens; the algorithm, issuer and audience are pinned on verify. */
export class JwtAccessTokens implements AccessTokens {
  // A KeyObject, made once: given a string, jsonwebtoken 9 first tries crypto.createPublicKey on it
  // on every call (about 5 % of the chat path's CPU in a profile) before treating it as a secret.
  private readonly secret: KeyObject

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'))
  }

  issue(claims: AccessClaims): IssuedAccessToken {
    const token = jwt.sign(
      { name: claims.username, role: claims.role, ver: claims.tokenVersion, fam: claims.familyId },
      this.secret,
      { algorithm: 'HS256', expiresIn: this.ttlSeconds, issuer: ISSUER, audience: AUDIENCE, subject: claims.userId },
    )
    return { token, expiresInSeconds: this.ttlSeconds }
  }

  verify(token: string): AccessClaims {
    let decoded: unknown
    try {
      decoded = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE })
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new TokenExpired()
      throw new InvalidToken()
    }
    const parsed = payloadSchema.safeParse(decoded)
    if (!parsed.success) throw new InvalidToken()
    const { sub, name, role, ver, fam } = parsed.data
    return { userId: sub, username: name, role, tokenVersion: ver, familyId: fam }
  }
}
