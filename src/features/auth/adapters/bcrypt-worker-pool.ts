import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { PROJECT_ROOT } from '../../../shared/infra/project-root.ts'
import { PasswordHashingBusy } from '../auth.errors.ts'

/** The plain-JavaScript worker, found from the project root: this module also runs bundled into dist/. */
const WORKER_SCRIPT = path.join(PROJECT_ROOT, 'src', 'features', 'auth', 'adapters', 'bcrypt-worker.mjs')

export type BcryptJob =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'verify'; password: string; hash: string }
  | { op: 'verify-dummy'; password: string; cost: number }

interface Pending {
  job: BcryptJob
  resolve(result: unknown): void
  reject(error: Error): void
}

export interface BcryptWorkerPoolOptions {
  /** Worker threads, started on demand. */
  size: number
  /** Jobs that may wait for a free worker; one more is refused with PasswordHashingBusy (503). */
  queueLimit: number
}

/**
 * bcrypt on worker threads, so password checks never stall the event loop. A busy worker is
 * ref'd (a command-line tool waits for it), an idle one unref'd (it never keeps a process alive).
 */
export class BcryptWorkerPool {
  private readonly idle: Worker[] = []
  private readonly running = new Map<Worker, Pending>()
  private readonly queue: Pending[] = []
  private closed = false

  constructor(private readonly options: BcryptWorkerPoolOptions) {}

  run(job: BcryptJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('The password hashing pool is closed'))
    return new Promise((resolve, reject) => {
      const pending = { job, resolve, reject }
      const worker = this.idle.pop() ?? (this.workers() < this.options.size ? this.spawn() : undefined)
      if (worker) this.dispatch(worker, pending)
      else if (this.queue.length < this.options.queueLimit) this.queue.push(pending)
      else reject(new PasswordHashingBusy())
    })
  }

  stats() {
    return { workers: this.workers(), busy: this.running.size, queued: this.queue.length }
  }

  /** Refuses what is queued and stops every thread (a job still running is refused too). */
  async close(): Promise<void> {
    this.closed = true
    for (const pending of this.queue.splice(0)) pending.reject(new Error('The password hashing pool is closed'))
    const workers = [...this.idle.splice(0), ...this.running.keys()]
    await Promise.all(workers.map((worker) => worker.terminate()))
  }

  private workers = () => this.idle.length + this.running.size

  private spawn(): Worker {
    const worker = new Worker(WORKER_SCRIPT)
    worker.unref()
    worker.on('message', (reply: { ok: true; result: unknown } | { ok: false; message: string }) => {
      const pending = this.running.get(worker)
      this.running.delete(worker)
      if (reply.ok) pending?.resolve(reply.result)
      else pending?.reject(new Error(`bcrypt failed: ${reply.message}`))
      this.next(worker)
    })
    let gone = false
    const lost = (error: Error) => {
      if (gone) return // 'error' is followed by 'exit'
      gone = true
      const pending = this.running.get(worker)
      this.running.delete(worker)
      const at = this.idle.indexOf(worker)
      if (at >= 0) this.idle.splice(at, 1)
      pending?.reject(error)
      // A replacement takes the queue's next job.
      const waiting = this.queue.shift()
      if (waiting && !this.closed) this.dispatch(this.spawn(), waiting)
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`a password hashing worker stopped (exit code ${code})`)))
    return worker
  }

  private dispatch(worker: Worker, pending: Pending) {
    this.running.set(worker, pending)
    worker.ref()
    worker.postMessage(pending.job)
  }

  private next(worker: Worker) {
    const waiting = this.queue.shift()
    if (waiting) return this.dispatch(worker, waiting)
    worker.unref()
    this.idle.push(worker)
  }
}
