// File modes in DATA_DIR on a real server process (SQLite, the default; issue 16): the directory the
// server creates is 0700 and every file it writes there (the database, its -wal and -shm, the
// generated secrets) is 0600, including files an older release or a restore left group/world
// readable, which are tightened at start.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { chatter, newSession, openStream } from '../support/e2e-chat.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const mode = (file: string) => statSync(file).mode & 0o777
const octal = (m: number) => `0${m.toString(8)}`

/** Every entry under `dir` (recursively) with its mode in octal, e.g. { 'app.db': '0600' }. */
function modesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) out[entry] = octal(mode(path.join(dir, entry)))
  return out
}

describe('DATA_DIR file modes (real server process, SQLite)', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'chatbase-modes-'))
  // Not there yet: the server makes it (mkdtemp would already have made it 0700 for us).
  const dataDir = path.join(parent, 'data')
  let upstream: Upstream | undefined
  let server: ServerProcess | undefined
  // The server inherits the umask: the usual 022 would leave new files 0644 and directories 0755.
  const umask = process.umask(0o022)

  afterAll(async () => {
    process.umask(umask)
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    await upstream?.close()
    rmSync(parent, { recursive: true, force: true })
  })

  it('a fresh DATA_DIR is 0700 and everything the server writes in it is 0600, while it runs', async () => {
    upstream = await startUpstream()
    server = await startServerProcess({ DATA_DIR: dataDir, BCRYPT_COST: '4' })
    await waitForReady(server.url)
    // Some writes, so that the WAL has content and the -shm index exists.
    const who = await chatter(server.url, upstream.url, 'modes')
    const stream = await openStream(server.url, who, await newSession(server.url, who), 'hello')
    expect(await stream.ended).toMatchObject({ done: 'complete' })

    expect(octal(mode(dataDir))).toBe('0700')
    const modes = modesUnder(dataDir)
    // The files a running SQLite install has: nothing unexpected, and each of them private.
    expect(Object.keys(modes).sort()).toEqual(['app.db', 'app.db-shm', 'app.db-wal', 'secrets.json'])
    expect(modes).toEqual({ 'app.db': '0600', 'app.db-shm': '0600', 'app.db-wal': '0600', 'secrets.json': '0600' })

    expect(await server.stop('SIGTERM')).toBe(0)
    // After a clean stop SQLite folds the WAL back in; whatever is left is still private.
    for (const [file, m] of Object.entries(modesUnder(dataDir))) expect(m, file).toBe('0600')
  }, 60_000)

  // An install made by an older release (or restored with cp): database and secrets 0644. The
  // directory an operator made is left as it is (it may be a mount point); what is in it is tightened.
  it('a database and secrets file left readable by others are tightened when the server starts', async () => {
    for (const file of readdirSync(dataDir)) chmodSync(path.join(dataDir, file), 0o644)
    chmodSync(dataDir, 0o755)
    expect(Object.values(modesUnder(dataDir))).toContain('0644')
    expect(Object.keys(modesUnder(dataDir))).toEqual(expect.arrayContaining(['app.db', 'secrets.json']))

    server = await startServerProcess({ DATA_DIR: dataDir, BCRYPT_COST: '4' })
    await waitForReady(server.url)
    expect(modesUnder(dataDir)).toEqual({ 'app.db': '0600', 'app.db-shm': '0600', 'app.db-wal': '0600', 'secrets.json': '0600' })
    expect(await server.stop('SIGTERM')).toBe(0)
  }, 60_000)
})
