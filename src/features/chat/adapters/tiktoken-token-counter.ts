import { createRequire } from 'node:module'
import type * as TiktokenModule from 'tiktoken'
import type { Tiktoken, TiktokenEncoding } from 'tiktoken'
import type { TokenCounter } from '../token-counter.port.ts'

/**
 * What a chat message costs besides its text in the OpenAI chat format: `<|start|>{role}\n ... <|end|>`,
 * 3 tokens per message (OpenAI cookbook, "How to count tokens with tiktoken", for gpt-3.5-turbo-0613
 * and every later model). The 3 tokens that prime the reply (`<|start|>assistant<|message|>`) are
 * counted once per prompt by truncateContext (REPLY_PRIMING_TOKENS).
 */
export const MESSAGE_OVERHEAD_TOKENS = 3

/** Model families tokenized with o200k_base; everything else (other providers too) is estimated with cl100k_base. */
const O200K_MODELS = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134](-|$))/

export function encodingForModel(model: string): TiktokenEncoding {
  // "openai/gpt-4o" (routers) and "ft:gpt-4o-mini:org::id" (fine-tunes) name the same family.
  const name = (model.split('/').pop() ?? model).replace(/^ft:/, '').trim().toLowerCase()
  return O200K_MODELS.test(name) ? 'o200k_base' : 'cl100k_base'
}

// One encoder per encoding per process: loading takes 160-300 ms and its WASM memory is never
// garbage-collected, so encoders are created lazily, shared, and never freed.
const encoders = new Map<TiktokenEncoding, Tiktoken>()

function encoderFor(encoding: TiktokenEncoding): Tiktoken {
  let encoder = encoders.get(encoding)
  if (!encoder) {
    // Loaded at the first count, not at start-up (about 15 MB of resident memory before any encoder).
    const { get_encoding } = createRequire(import.meta.url)('tiktoken') as typeof TiktokenModule
    encoder = get_encoding(encoding)
    encoders.set(encoding, encoder)
  }
  return encoder
}

/**
 * tiktoken's BPE is quadratic in the length of one pre-tokenized piece, and a run of letters, symbols
 * or whitespace is one piece: 20,000 "=" take 1.3 s, so a 1 MB message of them would block the event
 * loop for most of an hour. Such runs (never found in prose; long unpunctuated CJK can reach them) are
 * counted in slices of RUN_SLICE code points, which costs at most a token or so per slice.
 */
const LONG_RUN = /[\p{L}\p{M}]{256,}|[^\s\p{L}\p{M}\p{N}]{256,}|\s{256,}/gu
const RUN_SLICE = 128

/** The text as segments to encode separately: itself, unless it holds a long run. */
export function segmentsOf(text: string): string[] {
  const segments: string[] = []
  let last = 0
  for (const match of text.matchAll(LONG_RUN)) {
    if (match.index > last) segments.push(text.slice(last, match.index))
    const codePoints = Array.from(match[0])
    for (let i = 0; i < codePoints.length; i += RUN_SLICE) segments.push(codePoints.slice(i, i + RUN_SLICE).join(''))
    last = match.index + match[0].length
  }
  if (last < text.length) segments.push(last === 0 ? text : text.slice(last))
  return segments
}

/** Exact for OpenAI models (except inside pathological runs), an estimate for Anthropic and Gemini. */
export class TiktokenTokenCounter implements TokenCounter {
  count(text: string, model: string): number {
    if (!text) return 0
    const encoder = encoderFor(encodingForModel(model))
    let tokens = 0
    // encode_ordinary: text that happens to contain "<|endoftext|>" is user text, not a special token.
    for (const segment of segmentsOf(text)) tokens += encoder.encode_ordinary(segment).length
    return tokens
  }

  countMessage(text: string, model: string): number {
    return this.count(text, model) + MESSAGE_OVERHEAD_TOKENS
  }
}
