import type { ReplyControl } from '../reply-control.port.ts'

interface Running {
  ownerId: string
  stop: () => void
}

export class InProcessReplyControl implements ReplyControl {
  protected readonly running = new Map<string, Running>()

  register(messageId: string, ownerId: string, stop: () => void): () => void {
    this.running.set(messageId, { ownerId, stop })
    return () => this.running.delete(messageId)
  }

  async stop(messageId: string, ownerId: string): Promise<boolean> {
    return this.stopLocal(messageId, ownerId)
  }

  protected stopLocal(messageId: string, ownerId: string): boolean {
    const reply = this.running.get(messageId)
    if (!reply || reply.ownerId !== ownerId) return false
    reply.stop()
    return true
  }

  stopAllLocal(): number {
    const replies = [...this.running.values()]
    for (const reply of replies) reply.stop()
    return replies.length
  }

  runningLocal(): number {
    return this.running.size
  }
}
