import type { DependencyContainer } from 'tsyringe'
import { bindValue } from '../../shared/di.ts'
import { DEFAULT_RELAY_OPTIONS, RelayOptions } from './relay-options.ts'

/**
 * Binds the relay's own adapters. Needs ApiKeyAuthenticator (keys slice), ModelAccess (models),
 * AiProvider and ProviderPassthrough (providers), UsageGate and UsageRecorder (chat/usage), Metrics and Log.
 */
export function registerRelay(c: DependencyContainer, options: Partial<typeof DEFAULT_RELAY_OPTIONS> = {}): void {
  bindValue(c, RelayOptions, { ...DEFAULT_RELAY_OPTIONS, ...options })
}
