import { createHmac, randomBytes } from 'node:crypto'
import type { RefreshTokenMint } from '../refresh-token-mint.port.ts'

/**
 * Random 256-bit tokens for logins; HMAC-SHA256(key, presented) for successors. The key is derived
 * from the JWT secret under its own label, so it is never the key that signs access tokens.
 */
export class HmacRefreshTokenMint implements RefreshTokenMint {
  private readonly key: Buffer

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('chatbase/refresh-token-successor/v1').digest()
  }

  fresh(): string {
    return `rt_${randomBytes(32).toString('base64url')}`
  }

  successorOf(presented: string): string {
    return `rt_${createHmac('sha256', this.key).update(presented).digest('base64url')}`
  }
}
