import type { ProviderKind } from '../../ai-provider.port.ts'
import { anthropicDialect } from './anthropic.dialect.ts'
import type { ProviderDialect } from './dialect.ts'
import { geminiDialect } from './gemini.dialect.ts'
import { openAiDialect } from './openai.dialect.ts'

export const DIALECTS: Record<ProviderKind, ProviderDialect> = { openai: openAiDialect, anthropic: anthropicDialect, gemini: geminiDialect }

/** undefined for a kind we do not speak (a corrupt row or a bad request). */
export const dialectOf = (kind: string): ProviderDialect | undefined => (Object.hasOwn(DIALECTS, kind) ? DIALECTS[kind as ProviderKind] : undefined)
