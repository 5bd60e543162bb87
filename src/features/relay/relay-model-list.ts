import { ValidationFailed } from '../../shared/errors.ts'
import type { ModelConfig } from '../models/model-config.ts'

/** GET /v1/models in the two client formats: OpenAI's list, and Anthropic's paged ModelInfo list. */

export interface OpenAiModel {
  id: string
  object: 'model'
  created: number
  owned_by: 'system' | 'personal'
}

export const toOpenAiModel = (name: string, config: ModelConfig): OpenAiModel => ({
  id: name,
  object: 'model',
  created: Math.floor(config.createdAt.getTime() / 1000),
  owned_by: config.scope,
})

/** Anthropic's ModelInfo: what @anthropic-ai/sdk's models.list() and retrieve() read. */
export interface AnthropicModel {
  type: 'model'
  id: string
  display_name: string
  /** RFC 3339. */
  created_at: string
  max_input_tokens: number
  max_tokens: number
  capabilities: null
  lifecycle: 'active'
  deprecated_at: null
  retires_at: null
  line: null
}

export const toAnthropicModel = (name: string, config: ModelConfig): AnthropicModel => ({
  type: 'model',
  id: name,
  display_name: config.displayName,
  created_at: config.createdAt.toISOString(),
  max_input_tokens: config.contextWindow,
  max_tokens: config.maxOutputTokens,
  capabilities: null,
  lifecycle: 'active',
  deprecated_at: null,
  retires_at: null,
  line: null,
})

export interface AnthropicPageQuery {
  limit?: string
  after_id?: string
  before_id?: string
}

export interface AnthropicPage {
  data: AnthropicModel[]
  has_more: boolean
  first_id: string | null
  last_id: string | null
}

export const ANTHROPIC_PAGE_DEFAULT = 20
export const ANTHROPIC_PAGE_MAX = 1000

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return ANTHROPIC_PAGE_DEFAULT
  const limit = Number(raw)
  if (!/^\d+$/.test(raw) || limit < 1 || limit > ANTHROPIC_PAGE_MAX) {
    throw new ValidationFailed(`limit: Input should be an integer between 1 and ${ANTHROPIC_PAGE_MAX}`, { param: 'limit' })
  }
  return limit
}

function positionOf(models: readonly AnthropicModel[], id: string, param: string): number {
  const at = models.findIndex((m) => m.id === id)
  if (at < 0) throw new ValidationFailed(`${param}: no model with id \`${id}\` in this list`, { param })
  return at
}

/**
 * One page of `models` (newest first, as Anthropic lists them): `after_id` pages forward from a
 * model, `before_id` backward; has_more says whether the list goes on in that direction.
 */
export function anthropicPage(models: readonly AnthropicModel[], query: AnthropicPageQuery): AnthropicPage {
  const limit = limitOf(query.limit)
  if (query.after_id !== undefined && query.before_id !== undefined) {
    throw new ValidationFailed('Only one of before_id and after_id may be given', { param: 'before_id' })
  }
  let from: number
  let to: number
  let hasMore: boolean
  if (query.before_id !== undefined) {
    to = positionOf(models, query.before_id, 'before_id')
    from = Math.max(0, to - limit)
    hasMore = from > 0
  } else {
    from = query.after_id === undefined ? 0 : positionOf(models, query.after_id, 'after_id') + 1
    to = Math.min(models.length, from + limit)
    hasMore = to < models.length
  }
  const data = models.slice(from, to)
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
}
