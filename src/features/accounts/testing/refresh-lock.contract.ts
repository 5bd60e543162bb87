import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { RefreshLock } from '../refresh-lock.port.ts'

let run = 0
const accountId = () => `account-${++run}-${Math.random().toString(36).slice(2, 8)}`

/**
 * One behaviour for every RefreshLock: the in-process one and the Redis one. `replicas` gives two
 * locks that must exclude each other (two processes on one Redis); for the in-process lock, the
 * same instance twice.
 */
export function refreshLockContract(name: string, replicas: () => Promise<[RefreshLock, RefreshLock]> | [RefreshLock, RefreshLock]): void {
  describe(`RefreshLock contract: ${name}`, () => {
    it('is exclusive until released', async () => {
      const [lock] = await replicas()
      const id = accountId()
      const held = await lock.tryAcquire(id, 10_000)
      expect(held).not.toBeNull()
      expect(await lock.tryAcquire(id, 10_000)).toBeNull()
      await held!.release()
      const next = await lock.tryAcquire(id, 10_000)
      expect(next).not.toBeNull()
      await next!.release()
    })

    it('locks accounts independently', async () => {
      const [lock] = await replicas()
      const a = await lock.tryAcquire(accountId(), 10_000)
      const b = await lock.tryAcquire(accountId(), 10_000)
      expect(a && b).toBeTruthy()
      await Promise.all([a!.release(), b!.release()])
    })

    it('hands out strictly increasing fences', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      const fences: number[] = []
      for (let i = 0; i < 6; i++) {
        const held = await (i % 2 ? two : one).tryAcquire(id, 10_000)
        fences.push(held!.fence)
        await held!.release()
      }
      expect(fences.every((f, i) => Number.isSafeInteger(f) && f > 0 && (i === 0 || f > fences[i - 1]!))).toBe(true)
    })

    it('lets only one of many concurrent callers win', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? two : one).tryAcquire(id, 10_000)))
      const winners = results.filter((r) => r !== null)
      expect(winners).toHaveLength(1)
      await winners[0]!.release()
    })

    it('frees the lock of a holder that died once its ttl passed', async () => {
      const [lock] = await replicas()
      const id = accountId()
      expect(await lock.tryAcquire(id, 80)).not.toBeNull()
      expect(await lock.tryAcquire(id, 80)).toBeNull()
      await sleep(150)
      const next = await lock.tryAcquire(id, 10_000)
      expect(next).not.toBeNull()
      await next!.release()
    })

    it('ignores a release by a holder whose lock expired (stale fence)', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      const stale = await one.tryAcquire(id, 80)
      await sleep(150)
      const current = await two.tryAcquire(id, 10_000)
      expect(current!.fence).toBeGreaterThan(stale!.fence)
      await stale!.release()
      expect(await one.tryAcquire(id, 10_000)).toBeNull()
      expect(await two.tryAcquire(id, 10_000)).toBeNull()
      await current!.release()
      expect(await one.tryAcquire(id, 10_000)).not.toBeNull()
    })

    it('waitForRelease resolves at once when nobody holds the lock', async () => {
      const [lock] = await replicas()
      const started = performance.now()
      await lock.waitForRelease(accountId(), 5_000)
      expect(performance.now() - started).toBeLessThan(500)
    })

    it('waitForRelease resolves soon after the holder (on another replica) releases', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      const held = await one.tryAcquire(id, 10_000)
      const started = performance.now()
      const waited = two.waitForRelease(id, 5_000).then(() => performance.now() - started)
      await sleep(100)
      await held!.release()
      const ms = await waited
      expect(ms).toBeGreaterThanOrEqual(95)
      expect(ms).toBeLessThan(1_000)
    })

    it('waitForRelease gives up after its timeout while the lock is still held', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      const held = await one.tryAcquire(id, 10_000)
      const started = performance.now()
      await two.waitForRelease(id, 120)
      const ms = performance.now() - started
      expect(ms).toBeGreaterThanOrEqual(110)
      expect(ms).toBeLessThan(1_000)
      expect(await two.tryAcquire(id, 10_000)).toBeNull()
      await held!.release()
    })

    it('waitForRelease resolves when a dead holder\'s lock expires', async () => {
      const [one, two] = await replicas()
      const id = accountId()
      await one.tryAcquire(id, 100)
      const started = performance.now()
      await two.waitForRelease(id, 5_000)
      expect(performance.now() - started).toBeLessThan(1_000)
      const next = await two.tryAcquire(id, 10_000)
      expect(next).not.toBeNull()
      await next!.release()
    })
  })
}
