/**
 * A streaming response body over the relay's event iterator. Pull-based, so the next upstream read
 * only happens once the client took the previous piece (backpressure reaches the provider). A
 * heartbeat goes out whenever nothing was sent for `heartbeatMs` / 2 .. `heartbeatMs`. When the
 * client goes away, `client` is aborted (which closes the upstream request) and the iterator is
 * finished, so its accounting runs.
 */
export function sseBody(events: AsyncIterable<Uint8Array>, heartbeat: Uint8Array, heartbeatMs: number, client: AbortController): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]()
  let sent = false
  let closed = false
  let timer: NodeJS.Timeout | undefined
  const stop = () => {
    closed = true
    clearInterval(timer)
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        if (!sent && !closed) controller.enqueue(heartbeat)
        sent = false
      }, heartbeatMs / 2)
    },
    async pull(controller) {
      try {
        const next = await iterator.next()
        if (closed) return
        if (next.done) {
          stop()
          controller.close()
        } else {
          sent = true
          controller.enqueue(next.value)
        }
      } catch (err) {
        if (closed) return
        stop()
        controller.error(err)
      }
    },
    cancel() {
      stop()
      client.abort()
      void iterator.return?.()
    },
  })
}

