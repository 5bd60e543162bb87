import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { ModelAccess } from '../models/model-access.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { DefaultModels } from './default-models.port.ts'
import { UNTITLED, type ChatSession } from './chat-session.ts'

export interface CreateSessionInput {
  actor: Actor
  /**
   * A model configuration id; optional here, required before the first message. Without it the
   * session gets the user's default model, else the system default, if the user may use it.
   */
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
    @inject(DefaultModels) private readonly defaults: DefaultModels,
  ) {}

  async execute({ actor, modelId, title, systemPrompt }: CreateSessionInput): Promise<ChatSession> {
    // NOT_FOUND when the caller may not use the model (or it is disabled): checked before anything is stored.
    if (modelId !== undefined) await this.models.resolveForUse(actor, modelId)
    return this.sessions.create({
      id: this.ids.next(),
      ownerId: actor.userId,
      modelConfigId: modelId ?? (await this.defaultModel(actor)),
      title: titleOrDefault(title),
      systemPrompt: promptOrNull(systemPrompt),
    })
  }

  /**
   * The first default the actor may use right now (enabled, visible to them): a default that was
   * disabled, deleted or hidden since it was chosen falls through to the next one, or to none.
   */
  private async defaultModel(actor: Actor): Promise<string | null> {
    const candidates = await this.defaults.candidatesFor(actor.userId)
    if (candidates.length === 0) return null
    const usable = new Set((await this.models.listUsable(actor)).map((m) => m.id))
    return candidates.find((id) => usable.has(id)) ?? null
  }
}
