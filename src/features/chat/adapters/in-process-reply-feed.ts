import type { HostedReply, ReplyFeed } from '../reply-feed.port.ts'

/** One process: followers read the ReplyRun itself, and there is no other replica to ask. */
export class InProcessReplyFeed implements ReplyFeed {
  host(): HostedReply {
    return { ended: () => {} }
  }

  async followElsewhere(): Promise<null> {
    return null
  }
}
