import type { ReplyControl, ReplyScope, StopReason } from '../reply-control.port.ts'

interface Running extends ReplyScope {
  stop: (reason: StopReason) => void
}

export class InProcessReplyControl implements ReplyControl {
  protected readonly running = new Map<string, Running>()

  register(messageId: string, scope: ReplyScope, stop: (reason: StopReason) => void): () => void {
    const entry = { ...scope, stop }
    this.running.set(messageId, entry)
    return () => {
      if (this.running.get(messageId) === entry) this.running.delete(messageId)
    }
  }

  async stop(messageId: string, ownerId: string, reason: StopReason = 'stopped'): Promise<boolean> {
    return this.stopLocal(messageId, ownerId, reason)
  }

  async stopAll(scope: ReplyScope, reason: StopReason): Promise<void> {
    this.stopAllLocalIn(scope, reason)
  }

  protected stopLocal(messageId: string, ownerId: string, reason: StopReason): boolean {
    const reply = this.running.get(messageId)
    if (!reply || reply.ownerId !== ownerId) return false
    reply.stop(reason)
    return true
  }

  protected stopAllLocalIn(scope: ReplyScope, reason: StopReason): number {
    const replies = [...this.running.values()].filter((r) => r.ownerId === scope.ownerId && (scope.sessionId === undefined || r.sessionId === scope.sessionId))
    for (const reply of replies) reply.stop(reason)
    return replies.length
  }

  stopAllLocal(reason: StopReason = 'shutdown'): number {
    const replies = [...this.running.values()]
    for (const reply of replies) reply.stop(reason)
    return replies.length
  }

  runningLocal(): number {
    return this.running.size
  }
}
