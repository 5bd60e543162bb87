import { describe, expect, it } from 'vitest'
import { HmacRefreshTokenMint } from '../../../src/features/auth/adapters/hmac-refresh-token-mint.ts'
import { hashRefreshToken } from '../../../src/features/auth/session-issuer.ts'
import { authKit } from './auth-kit.ts'

/** A logged-in user without going through registration (whose inputs are not this file's concern). */
async function loggedIn(kit: ReturnType<typeof authKit>, username = 'alice') {
  const user = await kit.users.create({ id: `u-${username}`, username, passwordHash: 'x', role: 'USER' })
  return { user, session: await kit.sessions.issue(user) }
}

describe('refresh-token rotation with a reuse grace window', () => {
  it('gives every refresh of one token within the window the same successor, and revokes nothing', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { session } = await loggedIn(kit)
    const results = await Promise.all(Array.from({ length: 10 }, () => kit.refresh.execute({ refreshToken: session.refreshToken })))
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1)
    expect(results[0]!.refreshToken).not.toBe(session.refreshToken)
    kit.clock.advance(29_000)
    const late = await kit.refresh.execute({ refreshToken: session.refreshToken })
    expect(late.refreshToken).toBe(results[0]!.refreshToken)
    for (const r of [...results, late]) await expect(kit.authenticate.execute(r.accessToken)).resolves.toBeTruthy()
    // Two rows only: the login's token (used) and its one successor (live); nothing revoked.
    expect([...kit.refreshTokens.records.values()].map((r) => [r.usedAt !== null, r.revokedAt !== null])).toEqual([
      [true, false],
      [false, false],
    ])
    // The successor rotates normally.
    const next = await kit.refresh.execute({ refreshToken: late.refreshToken })
    expect(next.refreshToken).not.toBe(late.refreshToken)
    await expect(kit.authenticate.execute(next.accessToken)).resolves.toBeTruthy()
  })

  it('follows rotations made within the window to the current token', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { session } = await loggedIn(kit)
    const a1 = await kit.refresh.execute({ refreshToken: session.refreshToken })
    kit.clock.advance(5_000)
    const a2 = await kit.refresh.execute({ refreshToken: a1.refreshToken })
    kit.clock.advance(5_000)
    // A slow tab still holding the login's token gets the family's live token, not a used one.
    const slow = await kit.refresh.execute({ refreshToken: session.refreshToken })
    expect(slow.refreshToken).toBe(a2.refreshToken)
    await expect(kit.authenticate.execute(slow.accessToken)).resolves.toBeTruthy()
  })

  it('treats a reuse after the window as theft: the whole family is revoked', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { session } = await loggedIn(kit)
    const rotated = await kit.refresh.execute({ refreshToken: session.refreshToken })
    kit.clock.advance(30_000)
    await expect(kit.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('already used'),
    })
    await expect(kit.authenticate.execute(rotated.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(kit.refresh.execute({ refreshToken: rotated.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('with a window of 0, any reuse revokes the family', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 0 })
    const { session } = await loggedIn(kit)
    const rotated = await kit.refresh.execute({ refreshToken: session.refreshToken })
    await expect(kit.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({ message: expect.stringContaining('already used') })
    await expect(kit.authenticate.execute(rotated.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('hands out nothing within the window once the family was logged out', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { session } = await loggedIn(kit)
    const rotated = await kit.refresh.execute({ refreshToken: session.refreshToken })
    await kit.logOut.execute({ refreshToken: rotated.refreshToken })
    await expect(kit.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('stores only hashes, and the successor cannot be made without the server key', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { session } = await loggedIn(kit)
    const rotated = await kit.refresh.execute({ refreshToken: session.refreshToken })
    const stored = [...kit.refreshTokens.records.values()].map((r) => r.tokenHash)
    expect(stored).toEqual([hashRefreshToken(session.refreshToken), hashRefreshToken(rotated.refreshToken)])
    const other = authKit({ refreshReuseGraceSeconds: 30 }) // same key in the kit: the derivation is deterministic...
    expect(other.sessions.successorValueOf(session.refreshToken)).toBe(rotated.refreshToken)
    expect(new HmacRefreshTokenMint('y'.repeat(32)).successorOf(session.refreshToken)).not.toBe(rotated.refreshToken) // ...and keyed
  })

  it('revokes the family when the account was disabled, in the window too', async () => {
    const kit = authKit({ refreshReuseGraceSeconds: 30 })
    const { user, session } = await loggedIn(kit)
    const rotated = await kit.refresh.execute({ refreshToken: session.refreshToken })
    await kit.users.update(user.id, { disabled: true })
    await expect(kit.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({ message: expect.stringContaining('disabled') })
    await kit.users.update(user.id, { disabled: false })
    await expect(kit.refresh.execute({ refreshToken: rotated.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })
})
