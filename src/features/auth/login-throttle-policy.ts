import type { ThrottleKey, ThrottleRule } from './login-throttle.port.ts'

/**
 * Who gets slowed down after how many password guesses. Every login attempt is counted against
 * three keys BEFORE its password is checked (the throttle reserves it atomically), so parallel
 * guesses cannot overtake the count:
 *   - the account from this address: the attacker's own address, never the victim's;
 *   - the address, whatever the account: one address trying many accounts;
 *   - the account from anywhere: a distributed attack, with a high allowance and a short cap so
 *     it never keeps the owner out for long.
 * A successful login forgets the account+address count and gives its attempt back to the others.
 */
export const LOGIN_RULES = {
  accountFromAddress: { allowance: 5, maxDelaySeconds: 15 * 60 },
  address: { allowance: 20, maxDelaySeconds: 15 * 60 },
  account: { allowance: 50, maxDelaySeconds: 60 },
} as const satisfies Record<string, ThrottleRule>

/** A key's attempt count is forgotten after this long without attempts. */
export const ATTEMPT_MEMORY_SECONDS = 30 * 60

export function loginThrottleKeys(username: string, address: string): { pair: ThrottleKey; others: ThrottleKey[] } {
  return {
    pair: { id: `user-addr:${username}@${address}`, ...LOGIN_RULES.accountFromAddress },
    others: [
      { id: `addr:${address}`, ...LOGIN_RULES.address },
      { id: `user:${username}`, ...LOGIN_RULES.account },
    ],
  }
}

/**
 * Exponential backoff: the attempt that uses up the allowance makes the next one wait 1 s, each
 * further attempt doubles the wait, up to the rule's cap. 0 while attempts remain.
 */
export function backoffSeconds(attempts: number, rule: ThrottleRule): number {
  const over = attempts - rule.allowance
  if (over < 0) return 0
  return Math.min(rule.maxDelaySeconds, 2 ** Math.min(over, 30))
}
