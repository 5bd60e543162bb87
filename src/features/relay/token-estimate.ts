import type { CompletionRequest } from '../providers/ai-provider.port.ts'
import type { TokenCounter } from '../chat/token-counter.port.ts'

/** What we charge an image in an estimate: OpenAI's low-detail tile (85 tokens); real costs vary by size and provider. */
export const IMAGE_TOKENS_ESTIMATE = 85
/** The reply priming every chat prompt ends with (`<|start|>assistant<|message|>`). */
const REPLY_PRIMING = 3

/**
 * A tiktoken estimate of a request's input tokens for models whose provider cannot count them
 * (OpenAI-compatible): system and turn texts with the per-message overhead, tool calls and results,
 * tool definitions as JSON, images at a flat rate, and a JSON schema answer format.
 */
export function estimateRequestTokens(request: Omit<CompletionRequest, 'signal'>, counter: TokenCounter): number {
  const model = request.model
  let tokens = REPLY_PRIMING
  if (request.system) tokens += counter.countMessage(request.system, model)
  for (const turn of request.messages) {
    if (!turn.parts) {
      tokens += counter.countMessage(turn.content, model)
      continue
    }
    tokens += counter.countMessage('', model)
    for (const part of turn.parts) {
      if (part.type === 'text') tokens += counter.count(part.text, model)
      else if (part.type === 'image') tokens += IMAGE_TOKENS_ESTIMATE
      else if (part.type === 'tool_call') tokens += counter.count(`${part.name}${part.arguments}`, model)
      else tokens += counter.count(part.content, model)
    }
  }
  if (request.tools?.length) tokens += counter.count(JSON.stringify(request.tools), model)
  if (request.responseFormat?.type === 'json_schema') tokens += counter.count(JSON.stringify(request.responseFormat.schema), model)
  return tokens
}
