import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, chatter, newSession } from '../support/e2e-chat.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `npm run admin -- <args>` without npm in between: node dist/admin.js, as the script ends (built by test/global-setup.ts). */
function admin(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  const child = spawn(process.execPath, [path.resolve('dist/admin.js'), ...args], {
    env: { ...process.env, DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'info', DATABASE_URL: '', MASTER_KEY: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  child.stdin.end(options.stdin ?? '')
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr: stderr.replace(/^npm warn.*\n/gm, '') })))
}

let dataDir: string

describe('admin CLI (child processes on a temp SQLite data dir)', () => {
  let upstream: Upstream
  let server: ServerProcess | undefined

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatbase-admin-'))
    upstream = await startUpstream()
  })
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    await upstream?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses bad arguments with the usage text and exit 2, before touching anything', async () => {
    const [help, ...runs] = await Promise.all(
      [['help'], [], ['frobnicate'], ['disable-user'], ['list-models', '--bogus'], ['disable-user', 'a', 'b'], ['rotate-master-key', '--batch-size', 'lots']].map((args) => admin(args)),
    )
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/backup-sqlite <dest>/) })
    for (const run of runs) {
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/^admin: .+\n\nUsage: npm run admin -- <command>/)
    }
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      'admin: a command is required',
      'admin: unknown command "frobnicate"',
      'admin: disable-user takes <username>, got none',
      expect.stringMatching(/^admin: list-models: Unknown option '--bogus'/),
      'admin: disable-user takes <username>, got "a b"',
      'admin: --batch-size must be an integer from 1 to 5000',
    ])
    expect(existsSync(path.join(dataDir, 'app.db'))).toBe(false)
  }, 180_000)

  it('creates administrators; refuses duplicates and weak passwords with a one-line reason (exit 1)', async () => {
    const created = await admin(['create-admin', 'root', '--password-stdin'], { stdin: 'root password 1\n' })
    expect(created, created.stderr).toMatchObject({ code: 0 })
    expect(created.stdout).toMatch(/^Created administrator "root" \(id [0-9a-f-]{36}\)\.\n$/)

    const [duplicate, weak, generated] = await Promise.all([
      admin(['create-admin', 'ROOT', '--password-stdin'], { stdin: 'another password' }),
      admin(['create-admin', 'weakling', '--password-stdin'], { stdin: 'short' }),
      admin(['create-admin', 'ops']),
    ])
    expect(duplicate).toMatchObject({ code: 1, stderr: 'admin: The username "root" is already taken\n' })
    expect(weak).toMatchObject({ code: 1, stderr: 'admin: The password must be at least 10 characters\n' })
    expect(generated.code).toBe(0)
    expect(generated.stdout).toMatch(/One-time password: [A-Za-z0-9_-]{24}\nIt must be changed at first login\./)
  }, 180_000)

  it('manages users, lists models, exports conversations and backs up while the server runs', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir, BCRYPT_COST: '4', ADMIN_USERNAME: '', ADMIN_PASSWORD: '' })
    await waitForReady(server.url)
    const url = server.url
    const root = await call(url, 'POST', '/api/auth/login', { body: { username: 'root', password: 'root password 1' } })
    const model = await call(url, 'POST', '/api/models/system', {
      token: root.body.accessToken,
      body: { providerKind: 'openai', displayName: 'Shared GPT', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    expect(model.status, JSON.stringify(model.body)).toBe(201)
    const bob = await chatter(url, upstream.url, 'bob')
    const carol = await chatter(url, upstream.url, 'carol')
    // carol's platform key is used once, so the server holds it in its key cache.
    const carolKey = (await call(url, 'POST', '/api/keys', { token: carol.token, body: { name: 'script' } })).body.secret as string
    expect((await call(url, 'GET', '/v1/models', { token: carolKey })).status).toBe(200)
    const sessionId = await newSession(url, bob)
    expect((await call(url, 'POST', '/api/chat', { token: bob.token, body: { sessionId, content: 'Hello, export me' } })).body.status).toBe('complete')

    const backup = path.join(dataDir, 'backup.db')
    const exported = path.join(dataDir, 'bob.json')
    const [backedUp, models, exportRun] = await Promise.all([
      admin(['backup-sqlite', backup]),
      admin(['list-models']),
      admin(['export-conversations', 'bob', '--out', exported]),
    ])
    // One writer at a time: on a loaded 2-core machine, SQLite writers queued behind each other can
    // outlast the 5 s busy timeout (the CLI then says "database busy", exit 1).
    const reset = await admin(['reset-password', 'bob'])
    const disabled = await admin(['disable-user', 'carol'])
    const ops = await admin(['reset-password', 'ops', '--password-stdin'], { stdin: 'ops password 12' })
    expect(backedUp.stdout, backedUp.stderr).toMatch(/^Backed up .*app\.db to .*backup\.db: \d+ pages, \d+ bytes, integrity ok/)
    expect(backedUp.stdout).toMatch(/Keep .*secrets\.json with it/)
    expect(models.stdout).toMatch(/^ID\s+SCOPE\s+STATE\s+PROVIDER\s+MODEL\s+KEY\s+NAME\n\S+\s+system\s+enabled\s+openai\s+gpt-4o-mini\s+key\s+Shared GPT\n$/)
    expect(exportRun).toMatchObject({ code: 0, stdout: `Wrote 1 session(s) to ${exported}.\n` })
    expect(disabled, disabled.stderr).toMatchObject({ code: 0, stdout: 'Disabled "carol"; their sessions and tokens were revoked.\n' })
    const oneTime = /One-time password: (\S+)/.exec(reset.stdout)?.[1]
    expect(oneTime, reset.stderr).toBeTruthy()

    // The effects, seen through the API of the running server.
    const bobLogin = await call(url, 'POST', '/api/auth/login', { body: { username: 'bob', password: oneTime } })
    expect(bobLogin.status).toBe(200)
    expect(bobLogin.body.user.mustChangePassword).toBe(true)
    expect((await call(url, 'GET', '/api/sessions', { token: bob.token })).status).toBe(401) // sessions ended
    expect((await call(url, 'POST', '/api/auth/login', { body: { username: 'carol', password: 'carol secret password' } })).status).toBe(401)
    // The CLI wrote from another process: the server notices (SQLite's data version) and drops its cached key.
    await expect.poll(async () => (await call(url, 'GET', '/v1/models', { token: carolKey })).status, { timeout: 5000 }).toBe(401)
    expect(ops).toMatchObject({ code: 0, stdout: 'Reset the password of "ops"; their sessions were ended.\n' })
    expect((await call(url, 'POST', '/api/auth/login', { body: { username: 'ops', password: 'ops password 12' } })).body.user).toMatchObject({ role: 'ADMIN', mustChangePassword: false })

    const dump = JSON.parse(readFileSync(exported, 'utf8'))
    expect(statSync(exported).mode & 0o777).toBe(0o600)
    expect(dump).toMatchObject({ format: 'chatbase.conversations.v1', user: { username: 'bob' } })
    expect(dump.sessions).toHaveLength(1)
    expect(dump.sessions[0].messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'Hello, export me'],
      ['assistant', 'Hello from the test upstream.'],
    ])

    const Sqlite = createRequire(import.meta.url)('better-sqlite3')
    const copy = new Sqlite(backup, { readonly: true })
    expect(copy.prepare('SELECT username FROM User ORDER BY username').all().map((r: { username: string }) => r.username)).toEqual(['bob', 'carol', 'ops', 'root'])
    copy.close()
    expect(statSync(backup).mode & 0o777).toBe(0o600)
    expect(await server.stop('SIGTERM')).toBe(0)
  }, 180_000)

  it('rotates the master key; refuses an existing backup target, PostgreSQL backups and bad configuration', async () => {
    const old = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).masterKey as string
    const keyring = { MASTER_KEY: randomBytes(32).toString('base64'), PREVIOUS_MASTER_KEYS: old }
    const [rotated, exists, postgres, badConfig] = await Promise.all([
      admin(['rotate-master-key', '--batch-size', '50'], { env: keyring }),
      admin(['backup-sqlite', path.join(dataDir, 'backup.db')]),
      admin(['backup-sqlite', '/tmp/x.db'], { env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' } }),
      admin(['list-models'], { env: { PORT: 'eighty' } }),
    ])
    expect(rotated.stdout, rotated.stderr).toMatch(/^Rotation done: current key id \S+\nre-encrypted 3, skipped \(changed meanwhile\) 0, failed 0\nevery stored secret is under the current key\ncan be removed from PREVIOUS_MASTER_KEYS/)
    expect(exists).toMatchObject({ code: 1, stderr: expect.stringMatching(/^admin: .*backup\.db already exists \(use --force to overwrite it\)\n$/) })
    expect(postgres).toMatchObject({ code: 1, stderr: expect.stringMatching(/^admin: backup-sqlite works on the SQLite database only; for PostgreSQL use pg_dump/) })
    expect(badConfig.code).toBe(78)
    expect(badConfig.stderr).toMatch(/PORT: /)

  }, 180_000)
})
