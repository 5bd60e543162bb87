import type { DependencyContainer } from 'tsyringe'
import { bindClass, bindValue } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { InProcessReplyControl } from './adapters/in-process-reply-control.ts'
import { InProcessReplyFeed } from './adapters/in-process-reply-feed.ts'
import { PrismaChatSessionRepository } from './adapters/prisma-chat-session.repository.ts'
import { PrismaMessageRepository } from './adapters/prisma-message.repository.ts'
import { RedisReplyControl } from './adapters/redis-reply-control.ts'
import { RedisReplyFeed } from './adapters/redis-reply-feed.ts'
import { SettingsDefaultModels } from './adapters/settings-default-models.ts'
import { TiktokenTokenCounter } from './adapters/tiktoken-token-counter.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { DefaultModels } from './default-models.port.ts'
import { MessageRepository } from './message.repository.port.ts'
import { ReplyControl } from './reply-control.port.ts'
import { ReplyFeed, ReplyResumeOptions } from './reply-feed.port.ts'
import { ReplyRuns } from './reply-runs.ts'
import { TokenCounter } from './token-counter.port.ts'

export function registerChat(c: DependencyContainer, options: ReplyResumeOptions): void {
  bindClass(c, ChatSessionRepository, PrismaChatSessionRepository)
  bindClass(c, MessageRepository, PrismaMessageRepository)
  bindValue(c, TokenCounter, new TiktokenTokenCounter())
  // A session created without a model gets the default-model settings (needs registerSettings).
  bindClass(c, DefaultModels, SettingsDefaultModels)
  // With Redis, a stop request reaches the replica that serves the reply (class-bound: dispose() closes its subscriber).
  if (c.isRegistered(RedisClient, true)) bindClass(c, ReplyControl, RedisReplyControl)
  else bindValue(c, ReplyControl, new InProcessReplyControl())
  // Followers of a reply on another replica read it from a Redis stream (class-bound: dispose() closes its subscriber).
  if (c.isRegistered(RedisClient, true)) bindClass(c, ReplyFeed, RedisReplyFeed)
  else bindValue(c, ReplyFeed, new InProcessReplyFeed())
  bindValue(c, ReplyResumeOptions, options)
  // One per container: it holds the replies running in this process.
  c.registerSingleton(ReplyRuns)
}
