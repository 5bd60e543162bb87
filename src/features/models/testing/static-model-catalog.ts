import type { Actor } from '../../../shared/actor.ts'
import type { ModelCatalog } from '../model-catalog.port.ts'
import { canUse, scopeOf, type ModelConfig } from '../model-config.ts'

/** A model config with plain defaults: a system model unless `ownerId` is given. */
export function aModelConfig(fields: Partial<ModelConfig> & { id: string }): ModelConfig {
  const ownerId = fields.ownerId ?? null
  return {
    ownerId,
    scope: scopeOf(ownerId),
    providerKind: 'openai',
    baseUrl: 'http://127.0.0.1:9/v1',
    modelId: fields.id,
    displayName: fields.id,
    alias: null,
    contextWindow: 8192,
    maxOutputTokens: 1024,
    defaultParams: {},
    enabled: true,
    visibility: 'all',
    allowedUserIds: [],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  }
}

/** ModelCatalog over a fixed list, with the same visibility rule as ModelCatalogService. */
export class StaticModelCatalog implements ModelCatalog {
  constructor(readonly models: ModelConfig[] = []) {}

  add(fields: Partial<ModelConfig> & { id: string }): ModelConfig {
    const model = aModelConfig(fields)
    this.models.push(model)
    return model
  }

  async referableBy(actor: Actor): Promise<ModelConfig[]> {
    return this.models.filter((m) => canUse(actor, m))
  }

  async findSystemModel(id: string): Promise<ModelConfig | null> {
    return this.models.find((m) => m.id === id && m.ownerId === null) ?? null
  }
}
