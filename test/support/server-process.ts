import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface ServerProcess {
  url: string
  dataDir: string
  output: () => string
  child: ChildProcess
  /** Sends a signal and waits for the exit code. SIGKILL hits the whole process group. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts the real server the way the README does: it runs the last command of package.json's
 * `start` script (what `npm start` ends with: node on dist/) without npm in between, so signals
 * reach the server and its exit code is ours. The build step before it runs once per test run
 * (test/global-setup.ts).
 */
export async function startServerProcess(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'chatbase-e2e-'))
  const startScript = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string
  const [command, ...args] = startScript.split(' && ').at(-1)!.split(' ')
  const child = spawn(command!, args, {
    cwd: path.resolve('.'),
    env: {
      ...process.env,
      PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      // Tests point personal models at upstreams on 127.0.0.1.
      OUTBOUND_ALLOW_PRIVATE: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const check = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', check)
    child.stderr!.on('data', check)
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${output}`))
    })
  })

  return {
    url,
    dataDir,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      // Only the server process gets the signal: a second copy would hit the default handler.
      if (child.exitCode === null) process.kill(signal === 'SIGKILL' ? -child.pid! : child.pid!, signal)
      return exited
    },
  }
}

export async function waitForReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/ready`).catch(() => undefined)
    if (res?.status === 200) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} never became ready`)
}

export interface ServerReply {
  status: number
  /** Parsed JSON, else the text itself (null when empty). */
  body: any
  text: string
  headers: Headers
}

/** One HTTP call to a server process: JSON in, JSON (or text) out. */
export async function callServer(server: { url: string }, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ServerReply> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${server.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await res.text()
  let body: any = text || null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, text, headers: res.headers }
}
