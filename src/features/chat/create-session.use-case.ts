import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { ModelAccess } from '../models/model-access.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { UNTITLED, type ChatSession } from './chat-session.ts'

export interface CreateSessionInput {
  actor: Actor
  /** A model configuration id; optional here, required before the first message. */
  modelId?: string
  title?: string
  systemPrompt?: string | null
}

/** Blank text means "none": the default title, no system prompt. */
export const titleOrDefault = (title: string | undefined): string => title?.trim() || UNTITLED
export const promptOrNull = (prompt: string | null | undefined): string | null => (prompt?.trim() ? prompt : null)

@injectable()
export class CreateSession {
  constructor(
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ModelAccess) private readonly models: ModelAccess,
    @inject(IdGenerator) private readonly ids: IdGenerator,
  ) {}

  async execute({ actor, modelId, title, systemPrompt }: CreateSessionInput): Promise<ChatSession> {
    // NOT_FOUND when the caller may not use the model (or it is disabled): checked before anything is stored.
    if (modelId !== undefined) await this.models.resolveForUse(actor, modelId)
    return this.sessions.create({
      id: this.ids.next(),
      ownerId: actor.userId,
      modelConfigId: modelId ?? null,
      title: titleOrDefault(title),
      systemPrompt: promptOrNull(systemPrompt),
    })
  }
}
