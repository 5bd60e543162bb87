import { describe, expect, it } from 'vitest'
import { backoffSeconds, LOGIN_RULES, loginThrottleKeys } from '../../../src/features/auth/login-throttle-policy.ts'
import { isCommonPassword, passwordProblem } from '../../../src/features/users/user.ts'

describe('backoffSeconds', () => {
  it.each([
    [1, 0],
    [4, 0],
    [5, 1],
    [6, 2],
    [7, 4],
    [14, 512],
    [15, 900],
    [1000, 900],
  ])('after %i attempts of the account+address allowance waits %i s', (attempts, seconds) => {
    expect(backoffSeconds(attempts, LOGIN_RULES.accountFromAddress)).toBe(seconds)
  })

  it('caps the account-wide wait at a minute', () => {
    expect(backoffSeconds(LOGIN_RULES.account.allowance, LOGIN_RULES.account)).toBe(1)
    expect(backoffSeconds(LOGIN_RULES.account.allowance + 20, LOGIN_RULES.account)).toBe(60)
  })

  it('keys a login by account+address, address and account', () => {
    const { pair, others } = loginThrottleKeys('alice', '203.0.113.9')
    expect([pair, ...others].map((k) => k.id)).toEqual(['user-addr:alice@203.0.113.9', 'addr:203.0.113.9', 'user:alice'])
  })
})

describe('password policy', () => {
  it.each(['password', 'Password123!', '2024dragon', 'qwertyuiop', '1234567890', 'P@ssw0rd', 'aaaaaaaaaaaa', 'iloveyou 2024'])('%j is common', (password) => {
    expect(isCommonPassword(password)).toBe(true)
  })

  it.each(['correct horse', 'alice password 1', 'purple elephant mortgage', 'dragon slayer 7'])('%j is not', (password) => {
    expect(isCommonPassword(password)).toBe(false)
    expect(passwordProblem(password, 'someone')).toBeUndefined()
  })
})
