import type { ReplyEvent } from './chat-events.ts'

/**
 * Where a client is in a reply: `seq` counts events, `chars` the reply text it has (UTF-16 units).
 * The SSE id of an event is `<messageId>:<seq>:<chars>`; a client sends the last one back to resume.
 */
export interface ReplyPosition {
  seq: number
  chars: number
}

/** One event of a reply with its position: after it, a client has `chars` of the text. */
export interface FeedEntry extends ReplyPosition {
  event: ReplyEvent
}

export const START: ReplyPosition = { seq: 0, chars: 0 }

export const eventIdOf = (messageId: string, { seq, chars }: ReplyPosition): string => `${messageId}:${seq}:${chars}`

/** Parses an SSE event id; null when it is not one of ours. */
export function parseEventId(id: string): { messageId: string; position: ReplyPosition } | null {
  const match = /^([A-Za-z0-9-]{1,64}):(\d{1,9}):(\d{1,12})$/.exec(id)
  if (!match) return null
  return { messageId: match[1]!, position: { seq: Number(match[2]), chars: Number(match[3]) } }
}

/**
 * The entries a client at `from` has not seen, in order. A delta that ends past the client's text
 * but began before it (entries are merged when a reply grows long) is cut to the part it lacks, so
 * every character reaches a client exactly once whatever its position.
 */
export function unseen(entries: readonly FeedEntry[], from: ReplyPosition): FeedEntry[] {
  const out: FeedEntry[] = []
  for (const entry of entries) {
    if (entry.seq <= from.seq) continue
    if (entry.event.type !== 'delta') {
      out.push(entry)
      continue
    }
    const begins = entry.chars - entry.event.text.length
    if (entry.chars <= from.chars) continue
    out.push(begins >= from.chars ? entry : { ...entry, event: { type: 'delta', text: entry.event.text.slice(from.chars - begins) } })
  }
  return out
}

export const isLast = (entry: FeedEntry): boolean => entry.event.type === 'done'

export interface ReplyRunOptions {
  /** How long a reply nobody follows goes on before it is abandoned (0: at once). */
  graceMs: number
  /** Entries kept; past this the oldest deltas are merged into one (the text is never dropped). */
  maxEvents: number
  /** Each appended entry, for followers on other replicas (Redis); not called in-process. */
  onEntry?: (entry: FeedEntry) => void
  /** Called when nobody followed the reply for `graceMs`: the caller aborts the upstream call. */
  onAbandoned: () => void
  /** Milliseconds since a follower on another replica last said it was there (Infinity: never). */
  followedElsewhereAgo?: () => number
}

/**
 * The events of one reply being generated in this process: kept for followers (tabs, reconnects),
 * each woken when an entry arrives. When the last follower leaves, the reply goes on for the grace
 * period so that a reconnect can pick it up; then it is abandoned.
 */
export class ReplyRun {
  private entries: FeedEntry[] = []
  private position: ReplyPosition = START
  private readonly wakers = new Set<() => void>()
  private followers = 0
  /** Counts merges, which shift indices: a follower finds its place again after one. */
  private merges = 0
  private graceTimer: NodeJS.Timeout | undefined
  private ended = false

  constructor(
    readonly messageId: string,
    readonly ownerId: string,
    private readonly options: ReplyRunOptions,
  ) {}

  get isEnded(): boolean {
    return this.ended
  }

  /** A position this reply has not reached: not one of its events. */
  isAhead(from: ReplyPosition): boolean {
    return from.seq > this.position.seq || from.chars > this.position.chars
  }

  append(event: ReplyEvent): void {
    const chars = this.position.chars + (event.type === 'delta' ? event.text.length : 0)
    const entry: FeedEntry = { seq: this.position.seq + 1, chars, event }
    this.position = entry
    this.entries.push(entry)
    if (this.entries.length > this.options.maxEvents) this.mergeOldest()
    this.options.onEntry?.(entry)
    for (const wake of this.wakers) wake()
  }

  /** Every entry so far (a copy), for a follower elsewhere that starts late. */
  snapshot(): FeedEntry[] {
    return [...this.entries]
  }

  end(): void {
    this.ended = true
    clearTimeout(this.graceTimer)
    for (const wake of this.wakers) wake()
  }

  /**
   * The entries after `from`, in batches as they come (a follower that fell behind gets all it
   * missed at once), until the reply's `done`; ends early when `signal` aborts.
   */
  async *follow(from: ReplyPosition, signal: AbortSignal): AsyncGenerator<FeedEntry[]> {
    this.followers++
    clearTimeout(this.graceTimer)
    let wake: () => void = () => {}
    const onAbort = () => wake()
    signal.addEventListener('abort', onAbort, { once: true })
    let at = from
    let index = 0
    let merges = this.merges
    try {
      for (;;) {
        if (merges !== this.merges) [index, merges] = [0, this.merges]
        while (index < this.entries.length && this.entries[index]!.seq <= at.seq) index++
        const batch = unseen(this.entries.slice(index), at)
        index = this.entries.length
        if (batch.length) {
          at = this.entries[index - 1]!
          yield batch
          if (isLast(batch[batch.length - 1]!)) return
          continue // entries may have come while the consumer held the batch
        }
        if (signal.aborted || (this.ended && index === this.entries.length)) return
        await new Promise<void>((resolve) => {
          wake = resolve
          this.wakers.add(resolve)
        })
        this.wakers.delete(wake)
      }
    } finally {
      this.wakers.delete(wake)
      signal.removeEventListener('abort', onAbort)
      if (--this.followers === 0) this.startGrace()
    }
  }

  private startGrace(): void {
    if (this.ended) return
    const { graceMs, followedElsewhereAgo = () => Infinity } = this.options
    if (graceMs <= 0) return this.options.onAbandoned()
    const check = (): void => {
      if (this.ended || this.followers > 0) return
      const left = graceMs - followedElsewhereAgo()
      if (left <= 0) this.options.onAbandoned()
      else this.graceTimer = setTimeout(check, left).unref()
    }
    this.graceTimer = setTimeout(check, graceMs).unref()
  }

  /** Merges the oldest half of the deltas into one entry: a long reply keeps its text in fewer entries. */
  private mergeOldest(): void {
    const first = this.entries.findIndex((e) => e.event.type === 'delta')
    let last = first
    const target = first + Math.floor(this.entries.length / 2)
    while (last + 1 <= target && this.entries[last + 1]?.event.type === 'delta') last++
    if (first < 0 || last === first) return
    const merged = this.entries.slice(first, last + 1)
    const text = merged.map((e) => (e.event as { text: string }).text).join('')
    const { seq, chars } = merged[merged.length - 1]!
    this.entries.splice(first, merged.length, { seq, chars, event: { type: 'delta', text } })
    this.merges++
  }
}
