import { describe, expect, it } from 'vitest'
import { InvalidatedCache, type InvalidatedCacheOptions } from '../../../src/shared/invalidated-cache.ts'

/** A promise settled from outside, to hold a load open while the test does something else. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** A cache over a "table" (a Map the test changes), counting loads per key, with a manual clock. */
function setup<V = string>(options: Partial<InvalidatedCacheOptions<V>> = {}) {
  let nowMs = 1_000
  const table = new Map<string, V>()
  const loads: string[] = []
  const cache = new InvalidatedCache<V>({ maxAgeMs: 60_000, maxEntries: 100, now: () => nowMs, ...options })
  const loader = (key: string) => async () => {
    loads.push(key)
    if (!table.has(key)) throw new Error(`no row ${key}`)
    return table.get(key)!
  }
  const get = (key: string) => cache.get(key, loader(key))
  const loadsOf = (key: string) => loads.filter((k) => k === key).length
  return { cache, table, loads, get, loadsOf, advance: (ms: number) => void (nowMs += ms) }
}

describe('InvalidatedCache', () => {
  it('loads a miss once and serves later reads from memory', async () => {
    const { cache, table, get, loadsOf } = setup()
    table.set('a', 'A1')
    table.set('b', 'B1')
    expect(await get('a')).toBe('A1')
    table.set('a', 'A2') // changed without an invalidation: the cache keeps what it read
    expect(await get('a')).toBe('A1')
    expect(await get('a')).toBe('A1')
    expect(loadsOf('a')).toBe(1)
    expect(await get('b')).toBe('B1')
    expect(loadsOf('b')).toBe(1)
    expect(cache.size).toBe(2)
  })

  it('shares one load among concurrent misses of a key, not among different keys', async () => {
    const { cache, loads } = setup()
    const gate = deferred<string>()
    let calls = 0
    const slow = () => {
      calls++
      return gate.promise
    }
    const readers = [cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)]
    const other = cache.get('other', async () => (loads.push('other'), 'O'))
    expect(calls).toBe(1)
    gate.resolve('V')
    expect(await Promise.all(readers)).toEqual(['V', 'V', 'V'])
    expect(await other).toBe('O')
    expect(await cache.get('k', slow)).toBe('V')
    expect(calls).toBe(1)
  })

  it('never keeps a failure: every waiter sees it, and the next read loads again', async () => {
    const { table, get, loadsOf } = setup()
    const first = [get('x'), get('x')]
    for (const p of first) await expect(p).rejects.toThrow('no row x')
    expect(loadsOf('x')).toBe(1)
    await expect(get('x')).rejects.toThrow('no row x')
    expect(loadsOf('x')).toBe(2)
    table.set('x', 'X')
    expect(await get('x')).toBe('X')
    expect(await get('x')).toBe('X')
    expect(loadsOf('x')).toBe(3)
  })

  it('keeps only values the keep filter accepts (a "not found" is read again)', async () => {
    const { cache, table, get, loadsOf } = setup<string | null>({ keep: (v) => v !== null })
    table.set('gone', null)
    expect(await get('gone')).toBeNull()
    expect(await get('gone')).toBeNull()
    expect(loadsOf('gone')).toBe(2)
    expect(cache.size).toBe(0)
    table.set('gone', 'back')
    expect(await get('gone')).toBe('back')
    expect(await get('gone')).toBe('back')
    expect(loadsOf('gone')).toBe(3)
    expect(cache.size).toBe(1)
  })

  it('reads an entry again once it is maxAgeMs old, by the clock it was given', async () => {
    const { table, get, loadsOf, advance } = setup({ maxAgeMs: 1_000 })
    table.set('a', 'A1')
    expect(await get('a')).toBe('A1')
    table.set('a', 'A2')
    advance(999)
    expect(await get('a')).toBe('A1')
    expect(loadsOf('a')).toBe(1)
    advance(1)
    expect(await get('a')).toBe('A2')
    expect(loadsOf('a')).toBe(2)
    // The age counts from the new load.
    advance(999)
    expect(await get('a')).toBe('A2')
    expect(loadsOf('a')).toBe(2)
  })

  it('evicts the oldest entry when a new one would pass maxEntries', async () => {
    const { cache, table, get, loadsOf } = setup({ maxEntries: 2 })
    for (const k of ['a', 'b', 'c']) table.set(k, k.toUpperCase())
    await get('a')
    await get('b')
    expect(cache.size).toBe(2)
    await get('c')
    expect(cache.size).toBe(2)
    // b and c stay; a went.
    await get('b')
    await get('c')
    expect([loadsOf('a'), loadsOf('b'), loadsOf('c')]).toEqual([1, 1, 1])
    await get('a')
    expect(loadsOf('a')).toBe(2)
    // Reloading a put it back as the newest, so b (now the oldest) made room.
    await get('c')
    expect(loadsOf('c')).toBe(1)
    await get('b')
    expect(loadsOf('b')).toBe(2)
  })

  it('drops exactly the entries the predicate picks (by value or by key)', async () => {
    const { cache, table, get, loadsOf } = setup<{ owner: string }>()
    table.set('k1', { owner: 'alice' })
    table.set('k2', { owner: 'bob' })
    table.set('k3', { owner: 'alice' })
    for (const k of ['k1', 'k2', 'k3']) await get(k)
    cache.drop((v) => v.owner === 'alice')
    expect(cache.size).toBe(1)
    for (const k of ['k1', 'k2', 'k3']) await get(k)
    expect([loadsOf('k1'), loadsOf('k2'), loadsOf('k3')]).toEqual([2, 1, 2])

    cache.drop((_v, key) => key === 'k2')
    await get('k2')
    await get('k1')
    expect([loadsOf('k1'), loadsOf('k2')]).toEqual([2, 2])

    cache.clear()
    expect(cache.size).toBe(0)
    for (const k of ['k1', 'k2', 'k3']) await get(k)
    expect([loadsOf('k1'), loadsOf('k2'), loadsOf('k3')]).toEqual([3, 3, 3])
  })

  it('answers a load that an invalidation overtook, but does not keep it', async () => {
    const { cache, table } = setup()
    table.set('k', 'old')
    let loads = 0
    const gate = deferred<void>()
    const slowLoad = async () => {
      loads++
      const read = table.get('k')! // read before the write...
      await gate.promise // ...and answered after the invalidation
      return read
    }
    const early = cache.get('k', slowLoad)
    table.set('k', 'new')
    cache.drop((_v, key) => key === 'k')
    // A reader after the invalidation must not join the stale load.
    const late = cache.get('k', async () => (loads++, table.get('k')!))
    gate.resolve()
    expect(await early).toBe('old')
    expect(await late).toBe('new')
    expect(await cache.get('k', async () => (loads++, table.get('k')!))).toBe('new')
    expect(loads).toBe(2)
  })

  it('does not keep a load overtaken by an invalidation of another key either', async () => {
    const { cache, table } = setup()
    table.set('k', 'v1')
    const gate = deferred<void>()
    let loads = 0
    const load = async () => {
      loads++
      const read = table.get('k')!
      await gate.promise
      return read
    }
    const pending = cache.get('k', load)
    cache.drop(() => false) // picks nothing, but an invalidation came while the load ran
    gate.resolve()
    expect(await pending).toBe('v1')
    expect(cache.size).toBe(0)
    expect(await cache.get('k', load)).toBe('v1')
    expect(loads).toBe(2)
  })

  it('keeps a load that finished before the invalidation, and the invalidation drops it', async () => {
    const { cache, table, get, loadsOf } = setup()
    table.set('k', 'v1')
    expect(await get('k')).toBe('v1')
    table.set('k', 'v2')
    cache.drop((_v, key) => key === 'k')
    expect(await get('k')).toBe('v2')
    expect(await get('k')).toBe('v2')
    expect(loadsOf('k')).toBe(2)
  })

  it('update() changes the picked cached values in place without a load and keeps their age', async () => {
    const { cache, table, get, loadsOf, advance } = setup<{ id: string; used: number }>({ maxAgeMs: 1_000 })
    table.set('a', { id: 'a', used: 0 })
    table.set('b', { id: 'b', used: 0 })
    await get('a')
    await get('b')
    advance(600)
    cache.update(
      (v) => v.id === 'a',
      (v) => ({ ...v, used: 5 }),
    )
    expect(await get('a')).toEqual({ id: 'a', used: 5 })
    expect(await get('b')).toEqual({ id: 'b', used: 0 })
    expect([loadsOf('a'), loadsOf('b')]).toEqual([1, 1])
    // update() is not a load: the entry still expires maxAgeMs after it was read.
    advance(400)
    expect(await get('a')).toEqual({ id: 'a', used: 0 })
    expect(loadsOf('a')).toBe(2)
  })
})
