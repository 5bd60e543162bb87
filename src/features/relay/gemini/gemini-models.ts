import { ValidationFailed } from '../../../shared/errors.ts'
import type { NamedModel } from '../list-relay-models.use-case.ts'

/** GET /v1beta/models in Gemini's shape: what @google/genai's models.list() and models.get() read. */

export interface GeminiModel {
  name: string
  version: string
  displayName: string
  description: string
  inputTokenLimit: number
  outputTokenLimit: number
  supportedGenerationMethods: string[]
}

export const toGeminiModel = ({ name, config }: NamedModel): GeminiModel => ({
  name: `models/${name}`,
  version: config.modelId,
  displayName: config.displayName,
  description: `${config.displayName} (${config.providerKind} ${config.modelId}) through the relay`,
  inputTokenLimit: config.contextWindow,
  outputTokenLimit: config.maxOutputTokens,
  supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
})

export const GEMINI_PAGE_DEFAULT = 50
export const GEMINI_PAGE_MAX = 1000

/** One page: `pageSize` models from the one `pageToken` (from the previous page's nextPageToken) names. */
export function geminiPage(models: readonly GeminiModel[], query: { pageSize?: string; pageToken?: string }): { models: GeminiModel[]; nextPageToken?: string } {
  const size = query.pageSize === undefined || query.pageSize === '' ? GEMINI_PAGE_DEFAULT : Number(query.pageSize)
  if (!Number.isInteger(size) || size < 0) throw new ValidationFailed('* ListModelsRequest.page_size: must be a non-negative integer', { param: 'pageSize' })
  const limit = size === 0 ? GEMINI_PAGE_DEFAULT : Math.min(size, GEMINI_PAGE_MAX)
  let from = 0
  if (query.pageToken) {
    const name = Buffer.from(query.pageToken, 'base64url').toString('utf8')
    from = models.findIndex((m) => m.name === name)
    if (from < 0) throw new ValidationFailed('* ListModelsRequest.page_token: invalid page token', { param: 'pageToken' })
  }
  const page = models.slice(from, from + limit)
  const next = models[from + limit]
  return { models: page, ...(next && { nextPageToken: Buffer.from(next.name).toString('base64url') }) }
}
