import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ModelAccess } from '../models/model-access.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import type { ChatSession, ChatSessionChanges } from './chat-session.ts'
import { promptOrNull, titleOrDefault } from './create-session.use-case.ts'
import { ChatSessionNotFound } from './get-session.use-case.ts'

export interface UpdateSessionInput {
  actor: Actor
  sessionId: string
  title?: string
  /** null detaches the model. */
  modelId?: string | null
  /** null or blank removes the system prompt. */
  systemPrompt?: string | null
}

@injectable()
export class UpdateSession {
  constructor(
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ModelAccess) private readonly models: ModelAccess,
  ) {}

  async execute({ actor, sessionId, title, modelId, systemPrompt }: UpdateSessionInput): Promise<ChatSession> {
    // Ownership first, so probing someone else's session id with a model id reveals nothing.
    const current = await this.sessions.findOwned(sessionId, actor.userId)
    if (!current) throw new ChatSessionNotFound()
    if (modelId != null && modelId !== current.modelConfigId) await this.models.resolveForUse(actor, modelId)

    const changes: ChatSessionChanges = {}
    if (title !== undefined) changes.title = titleOrDefault(title)
    if (modelId !== undefined) changes.modelConfigId = modelId
    if (systemPrompt !== undefined) changes.systemPrompt = promptOrNull(systemPrompt)
    if (Object.keys(changes).length === 0) return current

    const updated = await this.sessions.update(sessionId, actor.userId, changes)
    if (!updated) throw new ChatSessionNotFound() // deleted meanwhile
    return updated
  }
}
