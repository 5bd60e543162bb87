// Two tabs (or a retried request) refreshing one refresh token at once must not log the user out:
// every refresh within REFRESH_REUSE_GRACE_SECONDS of the rotation gets the same new refresh token,
// while a reuse after that window is still treated as theft and revokes the whole login.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Clock } from '../../src/shared/clock.port.ts'
import { bindValue } from '../../src/shared/di.ts'
import { ManualClock } from '../../src/shared/testing/fakes.ts'
import { callServer, startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { createTestDatabase, databaseKindsUnderTest, type TestDatabase } from '../support/test-database.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

const GRACE_SECONDS = 30

for (const kind of databaseKindsUnderTest()) {
  describe(`refresh-token races over HTTP on ${kind}`, () => {
    let t: TestApp
    // Starts at the real time (access tokens are checked against it), moves only when told to.
    const clock = new ManualClock(new Date())

    beforeAll(async () => {
      t = await createTestApp({ kind, env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) }, override: (c) => bindValue(c, Clock, clock) })
    })
    afterAll(() => t?.close())

    it('ten concurrent refreshes of one token all succeed with one new refresh token, and the user stays logged in', async () => {
      const user = await t.registerUser('two-tabs')
      const replies = await Promise.all(
        Array.from({ length: 10 }, () => t.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })),
      )
      expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200))
      const refreshTokens = new Set(replies.map((r) => r.body.refreshToken))
      expect(refreshTokens.size).toBe(1)
      expect(refreshTokens.has(user.refreshToken)).toBe(false)
      expect(new Set(replies.map((r) => r.body.refreshExpiresAt)).size).toBe(1)
      for (const reply of replies) {
        const me = await t.request('GET', '/api/auth/me', { token: reply.body.accessToken })
        expect(me.status).toBe(200)
        expect(me.body.username).toBe('two-tabs')
      }
      // The login goes on: the shared new token rotates normally, and the old access token still works.
      const next = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: [...refreshTokens][0] } })
      expect(next.status).toBe(200)
      expect((await t.request('GET', '/api/auth/me', { token: next.body.accessToken })).status).toBe(200)
      expect((await t.request('GET', '/api/auth/me', { token: user.token })).status).toBe(200)
    })

    it('a refresh a little later within the window gets the same token; a reuse after it revokes the whole login', async () => {
      const user = await t.registerUser('thief-victim')
      const first = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
      expect(first.status).toBe(200)
      clock.advance((GRACE_SECONDS - 1) * 1000)
      const late = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
      expect(late.status).toBe(200)
      expect(late.body.refreshToken).toBe(first.body.refreshToken)

      clock.advance(2000) // now past the window
      const replay = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
      expect(replay.status).toBe(401)
      expect(replay.body.error.message).toContain('already used')
      for (const token of [user.token, first.body.accessToken, late.body.accessToken]) {
        expect((await t.request('GET', '/api/auth/me', { token })).status).toBe(401)
      }
      expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401)
    })
  })
}

describe.runIf(databaseKindsUnderTest().includes('postgres'))('refresh-token races across two server processes on PostgreSQL', () => {
  let database: TestDatabase
  let a: ServerProcess
  let b: ServerProcess

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    const env = {
      DATABASE_URL: database.url,
      JWT_SECRET: 'refresh-race-jwt-secret-long-enough-0123456789',
      MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
      API_KEY_PEPPER: 'refresh-race-pepper-long-enough-0123456789',
      BCRYPT_COST: '4',
      // 1 s, so that the reuse below is past the window after a short wait.
      REFRESH_REUSE_GRACE_SECONDS: '1',
    }
    a = await startServerProcess(env)
    await waitForReady(a.url)
    b = await startServerProcess(env)
    await waitForReady(b.url)
  }, 120_000)

  afterAll(async () => {
    for (const server of [a, b]) {
      if (!server) continue
      if (server.child.exitCode === null) await server.stop('SIGKILL')
      rmSync(server.dataDir, { recursive: true, force: true })
    }
    await database?.dispose()
  })

  it('refreshes of one token split over both replicas all succeed with one new token; a late reuse revokes the login', async () => {
    const registered = await callServer(a, 'POST', '/api/auth/register', { body: { username: 'replicas', password: 'replicas password 1' } })
    expect(registered.status).toBe(201)
    const refreshToken = registered.body.refreshToken
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => callServer(i % 2 ? b : a, 'POST', '/api/auth/refresh', { body: { refreshToken } })),
    )
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200))
    const successors = new Set(replies.map((r) => r.body.refreshToken))
    expect(successors.size).toBe(1)
    for (const [i, reply] of replies.entries()) {
      expect((await callServer(i % 2 ? a : b, 'GET', '/api/auth/me', { token: reply.body.accessToken })).status).toBe(200)
    }

    await new Promise((resolve) => setTimeout(resolve, 1500)) // past the 1 s window (only ever later is fine)
    const replay = await callServer(b, 'POST', '/api/auth/refresh', { body: { refreshToken } })
    expect(replay.status).toBe(401)
    expect((await callServer(a, 'GET', '/api/auth/me', { token: replies[0]!.body.accessToken })).status).toBe(401)
    expect((await callServer(a, 'POST', '/api/auth/refresh', { body: { refreshToken: [...successors][0] } })).status).toBe(401)
  })
})
