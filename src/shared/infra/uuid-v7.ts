import { randomBytes } from 'node:crypto'
import type { IdGenerator } from '../ids.ts'

/** RFC 9562 UUIDv7 with a monotonic counter in rand_a, so ids made in the same millisecond still sort. */
export class UuidV7Generator implements IdGenerator {
  private lastMs = 0
  private counter = 0

  next(): string {
    let ms = Date.now()
    if (ms <= this.lastMs) {
      ms = this.lastMs
      this.counter++
      if (this.counter > 0xfff) {
        ms = ++this.lastMs
        this.counter = 0
      }
    } else {
      this.lastMs = ms
      this.counter = 0
    }
    const bytes = randomBytes(16)
    bytes.writeUIntBE(ms, 0, 6)
    bytes[6] = 0x70 | (this.counter >> 8)
    bytes[7] = this.counter & 0xff
    bytes[8] = (bytes[8]! & 0x3f) | 0x80
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

export const systemClock = { now: () => new Date() }
