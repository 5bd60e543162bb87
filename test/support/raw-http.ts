// HTTP/1.1 spoken by hand over a TCP socket, for the tests a real client library would not let us
// write: a body shorter than its Content-Length, headers trickled byte by byte, an upload that goes
// on after the server answered. The socket's fate (answered, closed, reset) is what they assert.
import net from 'node:net'

export interface RawConnection {
  readonly socket: net.Socket
  /** Everything the server sent so far (latin1, so bytes map 1:1 to characters). */
  received(): string
  /** The status code of the first response, once its status line has arrived. */
  status(): number | undefined
  /** True once the response head (status line and headers) has arrived. */
  headComplete(): boolean
  /** True once the server ended or reset the connection. */
  isClosed(): boolean
  /** Resolves when the connection is gone; `error` is set when it was reset rather than ended. */
  readonly closed: Promise<{ error?: string }>
  /** Writes and waits until the bytes are handed to the OS; false when the connection is gone. */
  write(data: string | Buffer): Promise<boolean>
  destroy(): void
}

export async function connectRaw(baseUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl)
  const socket = net.connect({ host: hostname, port: Number(port) })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let data = ''
  let closed = false
  let error: string | undefined
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => (data += chunk))
  socket.on('error', (err) => (error ??= (err as NodeJS.ErrnoException).code ?? err.message))
  const closedPromise = new Promise<{ error?: string }>((resolve) =>
    socket.once('close', () => {
      closed = true
      resolve(error === undefined ? {} : { error })
    }),
  )
  return {
    socket,
    received: () => data,
    status: () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data)
      return match ? Number(match[1]) : undefined
    },
    headComplete: () => data.includes('\r\n\r\n'),
    isClosed: () => closed,
    closed: closedPromise,
    write: (chunk) =>
      new Promise<boolean>((resolve) => {
        if (closed || socket.destroyed || !socket.writable) return resolve(false)
        socket.write(chunk, (err) => resolve(!err))
      }),
    destroy: () => socket.destroy(),
  }
}

/** The head and body of the first response on a connection (body de-chunked when chunked). */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(raw.slice(0, 200))}`)
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = raw.slice(end + 4)
  if (headers['transfer-encoding'] === 'chunked') {
    let out = ''
    let at = 0
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at)
      if (lineEnd < 0) break
      const size = parseInt(body.slice(at, lineEnd), 16)
      if (!size) break
      out += body.slice(lineEnd + 2, lineEnd + 2 + size)
      at = lineEnd + 2 + size + 2
    }
    body = out
  } else if (headers['content-length'] !== undefined) {
    body = body.slice(0, Number(headers['content-length']))
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]), headers, body }
}

/** One chunk of a chunked request body. */
export const chunk = (payload: string | Buffer): Buffer => {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
}

/** Rejects with `what` when `promise` has not settled within `ms` (the test's own deadline). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
