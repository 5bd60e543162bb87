import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { ProxyProbe } from '../../shared/outbound/outbound-transport.port.ts'
import { ModelConfigRepository } from '../models/model-config.repository.port.ts'
import { AiProvider, ProviderError, type ProviderKind } from '../providers/ai-provider.port.ts'
import { CODE_ASSIST_BASE_URL, defaultBaseUrl } from '../providers/provider-catalog.ts'
import type { AccountProbe, ProbeReport, ProbeStep } from './account-probe.port.ts'
import { AccountTokens } from './account-tokens.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import { accountProxyAad, accountSecretAad, type AccountSecrets, type StoredAccount } from './upstream-account.ts'

export const PROBE_TIMEOUT_MS = 20_000
/** A cheap model per kind, for an account that serves no model yet. */
const FALLBACK_MODEL: Record<ProviderKind, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', gemini: 'gemini-2.5-flash' }
const MAX_MESSAGE = 300

function targetOf(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl)
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }
}

/**
 * The account test: first whether its proxy is reachable and tunnels to the provider, then a
 * minimal real call ("Say OK", tiny output budget) with its credential through the same route.
 * Reports status and the provider's error code and message (bounded), never a response body.
 */
@injectable()
export class ProbeAccount implements AccountProbe {
  constructor(
    @inject(ProxyProbe) private readonly proxies: ProxyProbe,
    @inject(AiProvider) private readonly ai: AiProvider,
    @inject(AccountTokens) private readonly tokens: AccountTokens,
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(ModelConfigRepository) private readonly models: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async probe(account: StoredAccount): Promise<ProbeReport> {
    const codeAssist = account.authType === 'oauth' && account.providerKind === 'gemini'
    const baseUrl = account.baseUrl ?? (codeAssist ? CODE_ASSIST_BASE_URL : defaultBaseUrl(account.providerKind))
    const proxyUrl = account.proxy ? this.box.open(account.proxy.ciphertext, accountProxyAad(account.id)) : null
    const proxy = proxyUrl ? await this.proxies.check(proxyUrl, targetOf(baseUrl), PROBE_TIMEOUT_MS) : null
    if (proxy && !proxy.ok) return { proxy, upstream: { ok: false, latencyMs: 0, code: 'not_tried', message: 'the proxy is not usable, so the provider was not tried' } }
    return { proxy, upstream: await this.callUpstream(account, baseUrl, proxyUrl) }
  }

  private async callUpstream(account: StoredAccount, baseUrl: string, proxyUrl: string | null): Promise<ProbeStep> {
    const started = this.clock.now().getTime()
    const latencyMs = () => Math.max(0, this.clock.now().getTime() - started)
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS)
    try {
      const apiKey = account.authType === 'oauth' ? await this.tokens.accessToken(account) : this.apiKeyOf(account)
      const events = this.ai.stream({
        provider: account.providerKind,
        baseUrl,
        apiKey,
        authType: account.authType,
        projectId: account.projectId,
        proxyUrl,
        model: await this.modelFor(account),
        messages: [{ role: 'user', content: 'Say OK' }],
        maxOutputTokens: 16,
        signal,
      })
      for await (const _event of events) {
        // Drained to the end: the call succeeded only if the stream finished cleanly.
      }
      return { ok: true, latencyMs: latencyMs(), status: 200 }
    } catch (error) {
      if (error instanceof ProviderError) {
        return { ok: false, latencyMs: latencyMs(), status: error.status, code: error.providerCode ?? error.code, message: error.providerMessage.slice(0, MAX_MESSAGE) }
      }
      if (signal.aborted) return { ok: false, latencyMs: latencyMs(), status: 0, code: 'timeout', message: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` }
      throw error
    }
  }

  private apiKeyOf(account: StoredAccount): string {
    return (JSON.parse(this.box.open(account.secret.ciphertext, accountSecretAad(account.id))) as AccountSecrets).apiKey ?? ''
  }

  private async modelFor(account: StoredAccount): Promise<string> {
    for (const id of await this.accounts.modelsOf(account.id)) {
      const config = await this.models.findById(id)
      if (config) return config.modelId
    }
    return FALLBACK_MODEL[account.providerKind]
  }
}
