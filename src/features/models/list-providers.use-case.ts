import { injectable } from 'tsyringe'
import { PROVIDER_KINDS, type ProviderKind } from '../providers/ai-provider.port.ts'
import { defaultBaseUrl, KNOWN_MODELS } from '../providers/provider-catalog.ts'

export interface ProviderInfo {
  kind: ProviderKind
  defaultBaseUrl: string
  knownModels: Array<{ id: string; contextWindow: number; maxOutputTokens: number; baseUrl?: string }>
}

/** GET /providers: the supported kinds, their default endpoints and the built-in table of known models. */
@injectable()
export class ListProviders {
  execute(): { items: ProviderInfo[] } {
    return {
      items: PROVIDER_KINDS.map((kind) => ({
        kind,
        defaultBaseUrl: defaultBaseUrl(kind),
        knownModels: KNOWN_MODELS.filter((m) => m.provider === kind).map(({ id, contextWindow, maxOutputTokens, baseUrl }) => ({
          id,
          contextWindow,
          maxOutputTokens,
          ...(baseUrl ? { baseUrl } : {}),
        })),
      })),
    }
  }
}
