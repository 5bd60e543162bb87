import { anthropicMessageJson, AnthropicEventWriter } from './anthropic-format.ts'
import { anthropicToCompletion } from './anthropic-request.ts'
import type { ClientFormat } from './client-format.ts'
import { GeminiAnswerWriter, geminiResponseJson } from './gemini/gemini-answer.ts'
import { geminiToCompletion } from './gemini/gemini-request.ts'
import { OpenAiChunkWriter, openAiCompletionJson } from './openai-format.ts'
import { openAiToCompletion } from './openai-request.ts'
import type { ClientDialect } from './relay-call.ts'

/** Every client format the relay translates from and back to. */
export const CLIENT_FORMATS: Record<ClientDialect, ClientFormat> = {
  openai: {
    toCompletion: openAiToCompletion,
    json: openAiCompletionJson,
    writer: (call) => new OpenAiChunkWriter(call.model, call.includeUsage),
  },
  anthropic: {
    toCompletion: anthropicToCompletion,
    json: anthropicMessageJson,
    writer: (call, estimatedInputTokens) => new AnthropicEventWriter(call.model, estimatedInputTokens),
  },
  gemini: {
    toCompletion: geminiToCompletion,
    json: geminiResponseJson,
    writer: (call) => new GeminiAnswerWriter(call),
  },
}
