import type { OutboundTransport } from '../../../shared/outbound/outbound-transport.port.ts'
import type { CompletionRequest } from '../ai-provider.port.ts'
import { defaultBaseUrl } from '../provider-catalog.ts'
import type { UpstreamTokenCounter } from '../token-count.port.ts'
import { anthropicRequestBody } from './dialects/anthropic.dialect.ts'
import { DIALECTS } from './dialects/dialects.ts'
import { geminiRequestBody } from './dialects/gemini.dialect.ts'
import { protocolError } from './provider-errors.ts'
import { num, trimSlash } from './shared.ts'
import { postUpstream, readBounded } from './upstream-call.ts'
import { credentialOf } from './http-ai-provider.ts'

// count_tokens takes only what shapes the prompt: sampling and output fields are refused there.
const ANTHROPIC_COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers']

const pick = (body: Record<string, unknown>, fields: readonly string[]) => Object.fromEntries(fields.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]))

const bareModel = (model: string) => model.replace(/^models\//, '')

/** Anthropic and Gemini (API key) token counting over the one outbound transport. */
export class HttpTokenCounter implements UpstreamTokenCounter {
  constructor(private readonly transport: OutboundTransport) {}

  counts(request: Pick<CompletionRequest, 'provider' | 'authType'>): boolean {
    if (request.provider === 'anthropic') return true
    return request.provider === 'gemini' && (request.authType ?? 'api_key') === 'api_key'
  }

  async count(request: CompletionRequest, body?: Record<string, unknown>): Promise<number> {
    const credential = credentialOf(request)
    const baseUrl = trimSlash(request.baseUrl || defaultBaseUrl(request.provider))
    const dialect = DIALECTS[request.provider]
    let url: string
    let wire: unknown
    if (request.provider === 'anthropic') {
      url = `${baseUrl}/v1/messages/count_tokens`
      wire = pick(body ? { ...body, model: request.model } : anthropicRequestBody(request), ANTHROPIC_COUNT_FIELDS)
    } else if (request.provider === 'gemini') {
      url = `${baseUrl}/v1beta/models/${encodeURIComponent(bareModel(request.model))}:countTokens`
      const { generationConfig: _, ...generate } = body ?? geminiRequestBody(request)
      wire = { generateContentRequest: { ...generate, model: `models/${bareModel(request.model)}` } }
    } else throw protocolError(request.provider, 'this provider kind has no token counting endpoint', false)
    const response = await postUpstream(
      this.transport,
      {
        provider: request.provider, url, headers: dialect.headers(credential), body: JSON.stringify(wire), secret: request.apiKey,
        proxyUrl: request.proxyUrl, restricted: request.restricted, signal: request.signal, budget: request.budget,
      },
      'application/json',
    )
    const text = await readBounded(response.body)
    let parsed: Record<string, unknown> = {}
    try {
      parsed = JSON.parse(text) as Record<string, unknown>
    } catch {
      // reported below
    }
    const tokens = num(request.provider === 'anthropic' ? parsed.input_tokens : parsed.totalTokens)
    if (tokens === undefined) throw protocolError(request.provider, `token count answer without a count: ${text.slice(0, 200)}`, false)
    return tokens
  }
}
