import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const TICK_MS = 1000 / 100 // CLK_TCK is 100 on Linux

/** User + system CPU time of a process so far, from /proc/<pid>/stat (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS // utime, stime (fields 14 and 15)
}

/** Resident set size and its peak, MB. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

const running = new Set<ChildProcess>()
const stopAll = () => running.forEach((child) => child.kill('SIGTERM'))
process.once('exit', stopAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll()
    process.exit(130)
  })
}

export interface Child<T> {
  child: ChildProcess
  info: T
  stop(): void
}

/** Starts `node --import tsx <file>` and waits for the JSON line it prints when ready. */
export function startChild<T>(file: string, args: string[] = [], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Child<T>> {
  return startNode<T>([...nodeArgs, '--import', 'tsx', file, ...args], env)
}

/** Starts `node <argv>` and waits for the JSON line it prints when ready. */
export async function startNode<T>(argv: string[], env: Record<string, string> = {}): Promise<Child<T>> {
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  const lines = createInterface({ input: child.stdout! })
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node ${argv.join(' ')} exited with ${code}`)))
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as T)
    })
  })
  lines.on('line', () => {}) // keep draining stdout so the child never blocks on a full pipe
  return { child, info, stop: () => void child.kill('SIGTERM') } // the app server removes its temp data dir on SIGTERM
}
