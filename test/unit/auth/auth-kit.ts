import { BcryptPasswordHasher } from '../../../src/features/auth/adapters/bcrypt-password-hasher.ts'
import { HmacRefreshTokenMint } from '../../../src/features/auth/adapters/hmac-refresh-token-mint.ts'
import { InMemoryLoginThrottle } from '../../../src/features/auth/adapters/in-memory-login-throttle.ts'
import { InMemoryRegistrationLimiter } from '../../../src/features/auth/adapters/in-memory-registration-limiter.ts'
import { JwtAccessTokens } from '../../../src/features/auth/adapters/jwt-access-tokens.ts'
import type { AuthPolicy } from '../../../src/features/auth/auth-policy.ts'
import { AuthenticateAccessToken } from '../../../src/features/auth/authenticate-access-token.use-case.ts'
import { BootstrapAdmin } from '../../../src/features/auth/bootstrap-admin.use-case.ts'
import { ChangePassword } from '../../../src/features/auth/change-password.use-case.ts'
import { LogIn } from '../../../src/features/auth/log-in.use-case.ts'
import { LogOut } from '../../../src/features/auth/log-out.use-case.ts'
import { RefreshSession } from '../../../src/features/auth/refresh-session.use-case.ts'
import { RegisterUser } from '../../../src/features/auth/register-user.use-case.ts'
import type { RegistrationGate } from '../../../src/features/auth/registration-gate.port.ts'
import { SessionIssuer } from '../../../src/features/auth/session-issuer.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

/** Every auth use case wired by hand to fakes, a manual clock and cheap bcrypt. */
export function authKit(policyOverrides: Partial<AuthPolicy> = {}) {
  const clock = new ManualClock()
  const ids = new SequentialIds()
  const users = new InMemoryUserRepository(() => clock.now())
  const refreshTokens = new InMemoryRefreshTokenRepository()
  const hasher = new BcryptPasswordHasher(4)
  const accessTokens = new JwtAccessTokens('x'.repeat(32), 900)
  const throttle = new InMemoryLoginThrottle(clock)
  const registrations = new InMemoryRegistrationLimiter(10, 3600, clock)
  const gateState: { open: boolean } = { open: true }
  const gate: RegistrationGate = {
    check: async () => (gateState.open ? { open: true } : { open: false, reason: 'Registration is closed' }),
  }
  const policy: AuthPolicy = { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, refreshReuseGraceSeconds: 30, firstUserIsAdmin: false, ...policyOverrides }
  const sessions = new SessionIssuer(accessTokens, refreshTokens, new HmacRefreshTokenMint('x'.repeat(32)), ids, clock, policy)
  return {
    clock,
    users,
    refreshTokens,
    sessions,
    hasher,
    throttle,
    gateState,
    register: new RegisterUser(users, hasher, gate, registrations, sessions, ids, policy),
    logIn: new LogIn(users, hasher, throttle, sessions),
    refresh: new RefreshSession(refreshTokens, users, sessions, clock, policy),
    logOut: new LogOut(refreshTokens, clock),
    changePassword: new ChangePassword(users, hasher, refreshTokens, sessions, clock),
    authenticate: new AuthenticateAccessToken(accessTokens, users, refreshTokens, clock),
    bootstrap: new BootstrapAdmin(users, hasher, ids, policy),
  }
}
