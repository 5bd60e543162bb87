import { describe, expect, it } from 'vitest'
import { eventIdOf, parseEventId, ReplyRun, START, unseen, type FeedEntry, type ReplyPosition } from '../../../src/features/chat/reply-run.ts'

const delta = (text: string) => ({ type: 'delta', text }) as const
const done = { type: 'done', messageId: 'm', status: 'complete', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, cachedTokens: null, reasoningTokens: null, estimated: false }, overheadMs: 0 } as const

function run(options: Partial<ConstructorParameters<typeof ReplyRun>[2]> = {}) {
  let abandoned = 0
  const r = new ReplyRun('m', 'u', { graceMs: 0, maxEvents: 1000, onAbandoned: () => abandoned++, ...options })
  return { r, abandoned: () => abandoned }
}

async function readAll(r: ReplyRun, from: ReplyPosition = START, signal = new AbortController().signal): Promise<FeedEntry[]> {
  const out: FeedEntry[] = []
  for await (const batch of r.follow(from, signal)) out.push(...batch)
  return out
}

const textOf = (entries: FeedEntry[]) => entries.map((e) => (e.event.type === 'delta' ? e.event.text : '')).join('')

describe('ReplyRun', () => {
  it('numbers events and counts the text; ids round-trip', () => {
    const { r } = run()
    r.append(delta('ab'))
    r.append(delta('cde'))
    const [first, second] = r.snapshot()
    expect([first, second].map((e) => [e!.seq, e!.chars])).toEqual([[1, 2], [2, 5]])
    expect(parseEventId(eventIdOf('0192-abc', second!))).toEqual({ messageId: '0192-abc', position: { seq: 2, chars: 5 } })
    for (const bad of ['', 'm:1', 'm:a:1', 'm:1:2:3', 'a b:1:1', `${'x'.repeat(65)}:1:1`]) expect(parseEventId(bad)).toBeNull()
    expect(r.isAhead({ seq: 3, chars: 5 })).toBe(true)
    expect(r.isAhead({ seq: 2, chars: 6 })).toBe(true)
    expect(r.isAhead({ seq: 2, chars: 5 })).toBe(false)
  })

  it('gives a follower what it lacks, live, until done; several followers at once', async () => {
    const { r } = run()
    r.append(delta('a'))
    const one = readAll(r)
    const two = readAll(r, { seq: 1, chars: 1 })
    r.append(delta('b'))
    await new Promise((resolve) => setImmediate(resolve))
    r.append(delta('c'))
    r.append(done)
    r.end()
    expect(textOf(await one)).toBe('abc')
    expect(textOf(await two)).toBe('bc')
    expect((await two).at(-1)!.event.type).toBe('done')
  })

  it('merges the oldest deltas past maxEvents, and still gives every character exactly once from any position', async () => {
    const { r } = run({ maxEvents: 16 })
    const positions: ReplyPosition[] = [START]
    for (let i = 0; i < 100; i++) {
      r.append(delta(String(i % 10)))
      positions.push({ seq: i + 1, chars: i + 1 })
    }
    r.append(done)
    r.end()
    expect(r.snapshot().length).toBeLessThanOrEqual(17)
    const whole = Array.from({ length: 100 }, (_, i) => String(i % 10)).join('')
    for (const from of positions) expect(textOf(await readAll(r, from)), `from ${from.seq}`).toBe(whole.slice(from.chars))
  })

  it('unseen cuts a merged delta to the part after the client', () => {
    const entries: FeedEntry[] = [{ seq: 5, chars: 10, event: delta('abcdefghij') }]
    expect(textOf(unseen(entries, { seq: 2, chars: 4 }))).toBe('efghij')
    expect(unseen(entries, { seq: 5, chars: 10 })).toEqual([])
  })

  it('is abandoned once nobody followed for the grace period, not while someone does', async () => {
    const { r, abandoned } = run({ graceMs: 50 })
    const leave = new AbortController()
    const following = readAll(r, START, leave.signal)
    r.append(delta('a'))
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(abandoned()).toBe(0)
    leave.abort()
    await following
    expect(abandoned()).toBe(0)
    const back = new AbortController()
    const again = readAll(r, START, back.signal) // back within the grace period
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(abandoned()).toBe(0)
    back.abort()
    await again
    await expect.poll(abandoned, { timeout: 1000 }).toBe(1)
  })

  it('counts a follower on another replica as a follower while it pings', async () => {
    let pinging = true // the follower elsewhere pinged just now, at every check
    const { r, abandoned } = run({ graceMs: 20, followedElsewhereAgo: () => (pinging ? 0 : Infinity) })
    const leave = new AbortController()
    const following = readAll(r, START, leave.signal)
    leave.abort()
    await following
    await new Promise((resolve) => setTimeout(resolve, 100)) // several grace periods
    expect(abandoned()).toBe(0)
    pinging = false
    await expect.poll(abandoned, { timeout: 1000 }).toBe(1)
  })
})
