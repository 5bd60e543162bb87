import type { UnitOfWork } from '../unit-of-work.port.ts'
import type { Clock } from '../clock.port.ts'
import type { IdGenerator } from '../ids.ts'

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.current)
  }
  advance(ms: number): void {
    this.current += ms
  }
}

/** Readable, ordered ids: id-0001, id-0002, ... */
export class SequentialIds implements IdGenerator {
  private n = 0
  constructor(private readonly prefix = 'id') {}
  next(): string {
    return `${this.prefix}-${String(++this.n).padStart(4, '0')}`
  }
}

/** For use cases over in-memory fakes: runs the work as is (fakes cannot roll back), then the settled hooks. */
export class PassThroughUnitOfWork implements UnitOfWork {
  private settled: (() => Promise<void>)[] | undefined

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.settled) return work()
    this.settled = []
    try {
      return await work()
    } finally {
      const hooks = this.settled
      this.settled = undefined
      for (const fn of hooks) await fn()
    }
  }

  whenSettled(fn: () => Promise<void>): boolean {
    this.settled?.push(fn)
    return this.settled !== undefined
  }
}
