import { describe, expect, it } from 'vitest'
import { authKit } from './auth-kit.ts'

const login = (kit: ReturnType<typeof authKit>, username = 'alice', password = 'correct horse', ip = '10.0.0.1') =>
  kit.logIn.execute({ username, password, clientAddress: ip })

describe('register and log in', () => {
  it('registers a user, stores only a bcrypt hash and logs them in', async () => {
    const kit = authKit()
    const session = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'Alice', password: 'correct horse' })
    expect(session.user).toMatchObject({ username: 'alice', role: 'USER' })
    const stored = await kit.users.findByUsername('alice')
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$04\$/)
    const caller = await kit.authenticate.execute(session.accessToken)
    expect(caller.actor).toEqual({ userId: stored!.id, username: 'alice', role: 'USER' })
  })

  it.each([
    ['short', 'at least 10 characters'],
    ['é'.repeat(37), 'at most 72 bytes'],
    ['12345678', 'at least 10'],
    ['password', 'at least 10'],
    ['password123', 'too common'],
    ['qwertyuiop', 'too common'],
    ['1234567890', 'too common'],
    ['P@ssw0rd2024!', 'too common'],
    ['2024Dragon!!', 'too common'],
  ])('refuses the weak password %j', async (password, message) => {
    const kit = authKit()
    await expect(kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining(message),
    })
    expect(await kit.users.count()).toBe(0)
  })

  it('refuses a password equal to the username and a bad username', async () => {
    const kit = authKit()
    await expect(kit.register.execute({ clientAddress: '10.0.0.1', username: 'longusername', password: 'LongUserName' })).rejects.toMatchObject({
      message: expect.stringContaining('same as the username'),
    })
    await expect(kit.register.execute({ clientAddress: '10.0.0.1', username: 'a b', password: 'correct horse' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path: 'username' })],
    })
  })

  it('refuses a duplicate username regardless of case', async () => {
    const kit = authKit()
    await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    await expect(kit.register.execute({ clientAddress: '10.0.0.1', username: 'ALICE', password: 'another pass' })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('obeys the registration gate, except for the opt-in first admin', async () => {
    const closed = authKit()
    closed.gateState.open = false
    await expect(closed.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })).rejects.toMatchObject({ code: 'FORBIDDEN' })

    const firstAdmin = authKit({ firstUserIsAdmin: true })
    firstAdmin.gateState.open = false
    const first = await firstAdmin.register.execute({ clientAddress: '10.0.0.1', username: 'root', password: 'correct horse' })
    expect(first.user.role).toBe('ADMIN')
    await expect(firstAdmin.register.execute({ clientAddress: '10.0.0.1', username: 'bob', password: 'correct horse' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('gives the same error for an unknown user and a wrong password', async () => {
    const kit = authKit()
    await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const wrong = await login(kit, 'alice', 'wrong password').catch((e) => e)
    const unknown = await login(kit, 'mallory', 'wrong password').catch((e) => e)
    expect(wrong.code).toBe('UNAUTHENTICATED')
    expect(unknown.message).toBe(wrong.message)
  })

  it('backs off the account from one address: 5 tries, then 1 s, 2 s ...; other addresses are not held up', async () => {
    const kit = authKit()
    await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    for (let i = 0; i < 5; i++) await expect(login(kit, 'alice', 'bad')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(login(kit, 'alice')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 }) // even the right password waits
    await expect(login(kit, 'alice', 'correct horse', '10.9.9.9')).resolves.toMatchObject({ user: { username: 'alice' } })
    kit.clock.advance(1000)
    await expect(login(kit, 'alice', 'bad')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' }) // 6th: the next waits 2 s
    await expect(login(kit)).rejects.toMatchObject({ retryAfter: 2 })
    kit.clock.advance(2000)
    await expect(login(kit)).resolves.toMatchObject({ user: { username: 'alice' } })
    // The success forgot this address's failures: five more tries before any wait.
    for (let i = 0; i < 5; i++) await expect(login(kit, 'alice', 'bad')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(login(kit, 'alice', 'bad')).rejects.toMatchObject({ code: 'RATE_LIMITED' })
  })

  it('does not count an attempt that failed for another reason than the password', async () => {
    const kit = authKit()
    await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const verify = kit.hasher.verify.bind(kit.hasher)
    kit.hasher.verify = async () => {
      throw new Error('hashing unavailable')
    }
    for (let i = 0; i < 8; i++) await expect(login(kit)).rejects.toThrow('hashing unavailable')
    kit.hasher.verify = verify
    await expect(login(kit)).resolves.toMatchObject({ user: { username: 'alice' } })
  })

  it('limits one address trying many accounts', async () => {
    const kit = authKit()
    for (let i = 0; i < 21; i++) await login(kit, `user${i}`, 'bad', '10.6.6.6').catch(() => undefined)
    await expect(login(kit, 'someone', 'bad', '10.6.6.6')).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    await expect(login(kit, 'someone', 'bad', '10.7.7.7')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('refuses a disabled user at login and their existing tokens at once', async () => {
    const kit = authKit()
    const session = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    await kit.users.update(session.user.id, { disabled: true })
    await expect(kit.authenticate.execute(session.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(login(kit)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(kit.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })
})

describe('refresh tokens', () => {
  it('rotates on every use; replaying a used token revokes the whole family', async () => {
    const kit = authKit()
    const first = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const second = await kit.refresh.execute({ refreshToken: first.refreshToken })
    expect(second.refreshToken).not.toBe(first.refreshToken)
    await expect(kit.authenticate.execute(second.accessToken)).resolves.toBeTruthy()

    kit.clock.advance(31_000) // past the reuse grace window (refresh-grace.test.ts covers the window)
    await expect(kit.refresh.execute({ refreshToken: first.refreshToken })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('already used'),
    })
    await expect(kit.refresh.execute({ refreshToken: second.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(kit.authenticate.execute(second.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('leaves other logins of the same user alone when one family is revoked', async () => {
    const kit = authKit()
    const a = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const b = await login(kit)
    await kit.logOut.execute({ refreshToken: a.refreshToken })
    await expect(kit.authenticate.execute(a.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(kit.authenticate.execute(b.accessToken)).resolves.toBeTruthy()
  })

  it('refuses an expired refresh token and an unknown one', async () => {
    const kit = authKit()
    const s = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    await expect(kit.refresh.execute({ refreshToken: 'rt_unknown' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    kit.clock.advance(3601 * 1000)
    await expect(kit.refresh.execute({ refreshToken: s.refreshToken })).rejects.toMatchObject({ message: expect.stringContaining('expired') })
  })
})

describe('change password', () => {
  it('ends every session, returns a fresh one and accepts only the new password', async () => {
    const kit = authKit()
    const a = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const b = await login(kit)
    const actor = (await kit.authenticate.execute(a.accessToken)).actor
    const fresh = await kit.changePassword.execute({ actor, currentPassword: 'correct horse', newPassword: 'battery staple' })
    for (const old of [a, b]) {
      await expect(kit.authenticate.execute(old.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
      await expect(kit.refresh.execute({ refreshToken: old.refreshToken })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    }
    await expect(kit.authenticate.execute(fresh.accessToken)).resolves.toBeTruthy()
    await expect(login(kit)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(login(kit, 'alice', 'battery staple')).resolves.toBeTruthy()
  })

  it('refuses a wrong current password and a weak new one, changing nothing', async () => {
    const kit = authKit()
    const a = await kit.register.execute({ clientAddress: '10.0.0.1', username: 'alice', password: 'correct horse' })
    const actor = (await kit.authenticate.execute(a.accessToken)).actor
    await expect(kit.changePassword.execute({ actor, currentPassword: 'nope', newPassword: 'battery staple' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(kit.changePassword.execute({ actor, currentPassword: 'correct horse', newPassword: 'short' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(kit.authenticate.execute(a.accessToken)).resolves.toBeTruthy()
  })
})

describe('first-run admin', () => {
  it('creates the admin from the environment once', async () => {
    const kit = authKit({ adminUsername: 'Boss', adminPassword: 'a strong password' })
    expect(await kit.bootstrap.execute()).toEqual({ outcome: 'created-from-environment', username: 'boss' })
    expect(await kit.bootstrap.execute()).toEqual({ outcome: 'admin-exists' })
    const s = await login(kit, 'boss', 'a strong password')
    expect(s.user).toMatchObject({ role: 'ADMIN', mustChangePassword: false })
  })

  it('generates a one-time password that must be changed', async () => {
    const kit = authKit()
    const result = await kit.bootstrap.execute()
    if (result.outcome !== 'created-with-generated-password') throw new Error(result.outcome)
    const s = await login(kit, 'admin', result.oneTimePassword)
    expect(s.user.mustChangePassword).toBe(true)
    expect((await kit.authenticate.execute(s.accessToken)).mustChangePassword).toBe(true)
  })

  it('waits for the first registration only when that is configured', async () => {
    const kit = authKit({ firstUserIsAdmin: true })
    expect(await kit.bootstrap.execute()).toEqual({ outcome: 'waiting-for-first-registration' })
    expect(await kit.users.count()).toBe(0)
  })
})
