import type { DependencyContainer } from 'tsyringe'
import { bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { OutboundAddressPolicy } from '../../shared/outbound/address-policy.ts'
import { OutboundPolicy, OutboundTransport, ProxyProbe } from '../../shared/outbound/outbound-transport.port.ts'
import { UndiciTransport } from '../../shared/outbound/undici-transport.ts'
import { ProviderPassthrough } from '../relay/provider-passthrough.port.ts'
import { ProviderEmbeddings } from '../relay/embeddings/provider-embeddings.port.ts'
import { HttpAiProvider } from './adapters/http-ai-provider.ts'
import { HttpEmbeddings } from './adapters/http-embeddings.ts'
import { HttpPassthrough } from './adapters/http-passthrough.ts'
import { HttpTokenCounter } from './adapters/http-token-counter.ts'
import { AiProvider } from './ai-provider.port.ts'
import { RetryingAiProvider } from './retrying-ai-provider.ts'
import { UpstreamTokenCounter } from './token-count.port.ts'

export interface ProvidersModuleOptions {
  connectTimeoutMs: number
  headersTimeoutMs: number
  idleTimeoutMs: number
  /** The whole call, streamed body included (UPSTREAM_TOTAL_TIMEOUT_MS). */
  totalTimeoutMs: number
  /** The outbound address policy of restricted (personal-model) calls; default: public addresses only. */
  outbound?: { allowPrivate: boolean; allowedHosts: readonly string[] }
}

/**
 * The provider layer: the one outbound transport (undici, a dispatcher per proxy and restriction),
 * its outbound address policy (also used to validate personal models' base URLs), the AiProvider
 * used by chat, model tests and the relay's translation, and the relay's pass-through. Both speak
 * through the dialects in dialects/.
 */
export function registerProviders(c: DependencyContainer, options: ProvidersModuleOptions): void {
  const policy = new OutboundAddressPolicy(options.outbound ?? { allowPrivate: false, allowedHosts: [] })
  const transport = new UndiciTransport({
    connectMs: options.connectTimeoutMs,
    headersMs: options.headersTimeoutMs,
    idleMs: options.idleTimeoutMs,
    totalMs: options.totalTimeoutMs,
    policy,
  })
  bindValue(c, OutboundPolicy, policy)
  bindValue(c, OutboundTransport, transport)
  bindValue(c, ProxyProbe, transport)
  bindFactory(c, AiProvider, (inner) => new RetryingAiProvider(new HttpAiProvider(resolve(inner, OutboundTransport))))
  bindFactory(c, ProviderPassthrough, (inner) => new HttpPassthrough(resolve(inner, OutboundTransport)))
  bindFactory(c, UpstreamTokenCounter, (inner) => new HttpTokenCounter(resolve(inner, OutboundTransport)))
  bindFactory(c, ProviderEmbeddings, (inner) => new HttpEmbeddings(resolve(inner, OutboundTransport)))
}
