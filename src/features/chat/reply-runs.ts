import { inject, injectable } from 'tsyringe'
import { Log, type Logger } from '../../shared/logger.ts'
import type { ChatEvent } from './chat-events.ts'
import { ReplyFeed, ReplyResumeOptions, type HostedReply } from './reply-feed.port.ts'
import { ReplyRun } from './reply-run.ts'
import type { StartedReply } from './reply-starter.ts'

/**
 * Replies generated in this process, decoupled from the connection that asked for them: the
 * reply's events go into its ReplyRun, which any number of connections follow (the first one, other
 * tabs, reconnects). A reply nobody follows goes on for the grace period, then is abandoned
 * (aborted with its partial text kept). An ended reply stays readable for the grace period too.
 */
@injectable()
export class ReplyRuns {
  private readonly runs = new Map<string, ReplyRun>()

  constructor(
    @inject(ReplyFeed) private readonly feed: ReplyFeed,
    @inject(ReplyResumeOptions) private readonly options: ReplyResumeOptions,
    @inject(Log) private readonly log: Logger,
  ) {}

  /** Starts a reply in the background. `start` gets the signal that aborts it once it is abandoned. */
  async begin(start: (abandoned: AbortSignal) => Promise<StartedReply>): Promise<{ run: ReplyRun; reply: StartedReply }> {
    const abandoned = new AbortController()
    const reply = await start(abandoned.signal)
    const messageId = reply.assistantMessage.id
    let hosted: HostedReply = { ended: () => {} }
    const run = new ReplyRun(messageId, reply.session.ownerId, {
      graceMs: this.options.graceMs,
      maxEvents: this.options.maxEvents,
      onAbandoned: () => abandoned.abort('abandoned'),
      onEntry: (entry) => hosted.onEntry?.(entry),
      followedElsewhereAgo: () => hosted.followedElsewhereAgo?.() ?? Infinity,
    })
    hosted = this.feed.host(run)
    this.runs.set(messageId, run)
    run.append({ type: 'message', sessionId: reply.session.id, userMessageId: reply.userMessage.id, assistantMessageId: messageId })
    void this.pump(run, reply.events, hosted)
    return { run, reply }
  }

  /** The reply when it is generated here (or ended here within the grace period). */
  local(messageId: string): ReplyRun | undefined {
    return this.runs.get(messageId)
  }

  private async pump(run: ReplyRun, events: AsyncGenerator<ChatEvent>, hosted: HostedReply): Promise<void> {
    try {
      for await (const event of events) run.append(event)
    } catch (err) {
      this.log.error({ err, messageId: run.messageId }, 'a reply stream failed')
    } finally {
      run.end()
      hosted.ended(this.options.graceMs)
      const forget = () => {
        if (this.runs.get(run.messageId) === run) this.runs.delete(run.messageId)
      }
      if (this.options.graceMs > 0) setTimeout(forget, this.options.graceMs).unref()
      else forget()
    }
  }
}
