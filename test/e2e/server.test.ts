import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'

describe('the real server process, started like the README says', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess({ ADMIN_PASSWORD: '', ADMIN_USERNAME: '' })
    await waitForReady(server.url)
  }, 90_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('creates and migrates the SQLite database and generated secrets in a fresh data dir', () => {
    expect(existsSync(path.join(server.dataDir, 'app.db'))).toBe(true)
    const secrets = statSync(path.join(server.dataDir, 'secrets.json'))
    expect(secrets.mode & 0o777).toBe(0o600)
    expect(server.output()).toMatch(/Generated JWT secret/)
    expect(server.output()).toMatch(/one-time password/)
  })

  it('answers /health, /ready and /api/info', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' })
    const ready = await (await fetch(`${server.url}/ready`)).json()
    expect(ready).toEqual({ ready: true, checks: [{ name: 'database', ok: true }] })
    const info = await (await fetch(`${server.url}/api/info`)).json()
    expect(info).toMatchObject({ name: 'chatbase', databaseKind: 'sqlite', mode: 'multi-user' })
  })

  it('answers an unknown API route with 404 in the error envelope and a request id', async () => {
    const res = await fetch(`${server.url}/api/no/such/route`)
    expect(res.status).toBe(404)
    const requestId = res.headers.get('x-request-id')
    expect(requestId).toBeTruthy()
    expect(await res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Route GET /api/no/such/route not found', requestId },
    })
  })

  it('serves an OpenAPI 3.1 document of its routes', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/api/info', '/api/auth/login']))
  })

  it('exits 0 on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
  })
})

describe('bad configuration', () => {
  it('refuses to start and names the variable', async () => {
    const failed = await startServerProcess({ PORT: 'eighty' }, 30_000).catch((err: Error) => err.message)
    expect(failed).toMatch(/PORT: /)
    expect(failed).toMatch(/exited with 78/)
  })
})
