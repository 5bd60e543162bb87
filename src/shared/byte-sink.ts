/** Where a streamed body goes: the transport's writer for one client. */
export interface ByteSink {
  /** false: the client is slow; write more once `onDrain` called back. Ignored once the client left. */
  write(bytes: Uint8Array): boolean
  /** Calls `resume` once the client took what was written, or once it left (then writes are dropped). */
  onDrain(resume: () => void): void
}

/** A body produced by push: writes into the sink and resolves when it is complete. Never rejects. */
export type PushBody = (sink: ByteSink) => Promise<void>
