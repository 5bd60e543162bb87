import { describe, expect, it } from 'vitest'
import { readSse, type SseItem } from '../../src/features/providers/adapters/sse.ts'

async function parse(chunks: Array<string | Uint8Array>): Promise<SseItem[]> {
  async function* source() {
    yield* chunks
  }
  const items: SseItem[] = []
  for await (const item of readSse(source())) items.push(item)
  return items
}

const events = (items: SseItem[]) => items.filter((i) => i.kind === 'event').map((i) => ({ event: i.event, data: i.data }))

describe('readSse', () => {
  const body = 'event: message_start\ndata: {"a":1}\n\n: keepalive\n\ndata: line one\ndata: line two\n\nevent: brand_new\ndata: x\n\n'
  const expected = [
    { event: 'message_start', data: '{"a":1}' },
    { event: undefined, data: 'line one\nline two' },
    { event: 'brand_new', data: 'x' },
  ]

  it.each([
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
    ['\\r', '\r'],
  ])('parses %s line endings, comments, multi-line data and unknown events', async (_name, eol) => {
    const items = await parse([body.replaceAll('\n', eol)])
    expect(events(items)).toEqual(expected)
    expect(items.filter((i) => i.kind === 'comment')).toEqual([{ kind: 'comment', text: 'keepalive' }])
  })

  it('handles chunks split anywhere, including between \\r and \\n and inside UTF-8 sequences', async () => {
    const crlf = new TextEncoder().encode(`${body.replaceAll('\n', '\r\n')}data: héllo ✓\r\n\r\n`)
    for (const size of [1, 2, 3, 7]) {
      const chunks: Uint8Array[] = []
      for (let i = 0; i < crlf.length; i += size) chunks.push(crlf.slice(i, i + size))
      expect(events(await parse(chunks))).toEqual([...expected, { event: undefined, data: 'héllo ✓' }])
    }
  })

  it('dispatches a last event ended by \\r\\r at end of stream, but not an unterminated one', async () => {
    expect(events(await parse(['data: a\r\r']))).toEqual([{ event: undefined, data: 'a' }])
    expect(events(await parse(['data: a\n\ndata: cut off']))).toEqual([{ event: undefined, data: 'a' }])
  })

  it('reports non-SSE lines (a raw JSON body) as stray lines in order', async () => {
    const raw = '{\n  "error": {\n    "code": 503\n  }\n}'
    const items = await parse([`data: first\n\n${raw}`])
    expect(items[0]).toMatchObject({ kind: 'event', data: 'first' })
    expect(items.slice(1).map((i) => (i.kind === 'stray' ? i.line : '?')).join('\n')).toBe(raw)
  })

  it('ignores id and retry fields and strips one leading space only', async () => {
    expect(events(await parse(['id: 7\nretry: 1000\ndata:  two spaces\ndata:none\n\n']))).toEqual([{ event: undefined, data: ' two spaces\nnone' }])
  })
})
