import type { CompletionRequest, ProviderKind } from '../providers/ai-provider.port.ts'
import { unsupportedFeature, type UnsupportedFeature } from '../providers/provider-capabilities.ts'
import { Untranslatable } from './relay.errors.ts'

/** Where a client format keeps each feature a provider kind may not take. */
export type FeatureFields = Record<UnsupportedFeature, string>

/** Throws a 400 naming the client's own field when the model's kind cannot express part of the request. */
export function assertTranslatable(kind: ProviderKind, request: Omit<CompletionRequest, 'signal'>, fields: FeatureFields): void {
  const unsupported = unsupportedFeature(kind, request)
  if (unsupported) throw new Untranslatable(fields[unsupported.feature], unsupported.reason)
}
