import { createParser } from 'eventsource-parser'

/**
 * Server-sent events reader over a byte stream. Accepts \n, \r\n and \r line endings, comments,
 * multi-line `data:` and unknown fields/event types (per the SSE spec, via eventsource-parser).
 *
 * Besides events it reports comments and "stray" lines (lines that are not SSE fields), in stream
 * order: Gemini injects a raw, pretty-printed JSON error body into a 200 stream outside SSE framing.
 */
export type SseItem =
  | { kind: 'event'; event: string | undefined; data: string; id: string | undefined }
  | { kind: 'comment'; text: string }
  | { kind: 'stray'; line: string }

export interface SseOptions {
  /** Largest event (characters) we buffer before giving up; protects memory. */
  maxBufferSize?: number
}

export class SseBufferOverflow extends Error {}

export async function* readSse(body: AsyncIterable<Uint8Array | string>, options: SseOptions = {}): AsyncGenerator<SseItem> {
  const queue: SseItem[] = []
  let overflow = false
  const parser = createParser({
    onEvent: (m) => queue.push({ kind: 'event', event: m.event, data: m.data, id: m.id }),
    onComment: (text) => queue.push({ kind: 'comment', text }),
    onError: (e) => {
      if (e.type === 'unknown-field') queue.push({ kind: 'stray', line: e.line ?? '' })
      else if (e.type === 'max-buffer-size-exceeded') overflow = true
    },
    maxBufferSize: options.maxBufferSize ?? 16 * 1024 * 1024,
  })
  const decoder = new TextDecoder()
  let endsWithCr = false
  const feed = (text: string) => {
    if (text === '') return
    parser.feed(text)
    endsWithCr = text.endsWith('\r')
    if (overflow) throw new SseBufferOverflow('SSE event exceeds the buffer limit')
  }

  for await (const chunk of body) {
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    yield* queue.splice(0)
  }
  feed(decoder.decode())
  // The parser holds back a trailing \r (it may be half of \r\n); at the end it is a line ending.
  if (endsWithCr) parser.feed('\n')
  // Flush an unterminated last line (e.g. the closing `}` of a raw JSON error); it never dispatches
  // an event, because an event without its blank line is incomplete.
  parser.reset({ consume: true })
  yield* queue.splice(0)
}
