import type { UsableModel } from '../models/model-access.port.ts'
import type { CompletionRequest, FinishReason, TokenUsage } from '../providers/ai-provider.port.ts'
import type { RelayCall } from './relay-call.ts'

/** One tool call of a translated answer, whole. */
export interface AnswerToolCall {
  id: string
  name: string
  /** The JSON text of its input. */
  arguments: string
}

/** A translated (non-streamed) answer, collected from the provider's normalised events. */
export interface CollectedAnswer {
  text: string
  toolCalls: AnswerToolCall[]
  finish: FinishReason
  /** Complete: the provider's figures, our estimates where it gave none. */
  usage: TokenUsage
}

/** A piece of the index-th tool call, as the AiProvider streams it. */
export interface ToolCallPiece {
  index: number
  id?: string
  name?: string
  argumentsDelta: string
}

/** A stream in the client's format, written event by event (each method returns wire text). */
export interface AnswerWriter {
  start(): string
  delta(text: string): string
  toolCall(piece: ToolCallPiece): string
  /** `comment`: the overhead comment, put where the format allows it (SSE), or nowhere. */
  end(finish: FinishReason, usage: TokenUsage, comment: string): string
  /** A failure after the response started, in the format's in-stream error shape; the stream ends after it. */
  error(err: unknown): string
}

/**
 * What the relay needs to serve one client format from a model of another kind (or, for Gemini
 * clients, any kind): the request as a normalised completion (throwing a 400 naming the client's
 * field for what cannot be mapped), and the answer back in the client's shape.
 */
export interface ClientFormat {
  toCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'>
  json(call: RelayCall, answer: CollectedAnswer): string
  writer(call: RelayCall, estimatedInputTokens: number): AnswerWriter
}
