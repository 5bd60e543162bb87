import { token } from '../../shared/di.ts'

/** Counts prompt tokens the way the model's tokenizer would (an estimate for non-OpenAI models). */
export interface TokenCounter {
  /** Tokens of the text alone. */
  count(text: string, model: string): number
  /** Tokens a chat message costs in a prompt: its text plus the per-message overhead. */
  countMessage(text: string, model: string): number
}
export const TokenCounter = token<TokenCounter>('TokenCounter')
