import { serve, type ServerType } from '@hono/node-server'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { bindValue } from '../../src/shared/di.ts'
import type { AppError } from '../../src/shared/errors.ts'
import { Metrics, type Metrics as MetricsPort } from '../../src/shared/metrics.port.ts'
import { ApiKeyAuthenticator, type KeyPrincipal } from '../../src/features/relay/api-key-authenticator.port.ts'
import { ProviderPassthrough } from '../../src/features/relay/provider-passthrough.port.ts'
import { DEFAULT_RELAY_OPTIONS, RelayOptions } from '../../src/features/relay/relay-options.ts'
import { registerRelay } from '../../src/features/relay/relay.module.ts'
import { relayRoutes } from '../../src/features/relay/relay.routes.ts'
import { StaticApiKeyAuthenticator } from '../../src/features/relay/testing/static-api-key-authenticator.ts'
import type { Limits } from '../../src/features/usage/limits.ts'
import { UsageGate, type Admission, type UsageRequest } from '../../src/features/usage/usage-gate.port.ts'
import { UsageRecorder, type UsageEntry } from '../../src/features/usage/usage-recorder.port.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

/** Records admissions and settlements; `rejectNext` makes the next admit throw (our own limits). */
export class RecordingGate implements UsageGate {
  readonly admitted: UsageRequest[] = []
  readonly settled: Array<{ inputTokens: number; outputTokens: number; cachedTokens?: number }> = []
  private rejection: AppError | undefined
  rejectNext(error: AppError): void {
    this.rejection = error
  }
  async admit(request: UsageRequest): Promise<Admission> {
    const rejection = this.rejection
    this.rejection = undefined
    if (rejection) throw rejection
    this.admitted.push(request)
    return { settle: async (actual) => void this.settled.push(actual) }
  }
}

export class RecordingRecorder implements UsageRecorder {
  readonly entries: UsageEntry[] = []
  record(entry: UsageEntry): void {
    this.entries.push(entry)
  }
  async flush(): Promise<void> {}
}

export class RecordingMetrics implements MetricsPort {
  readonly calls: Array<[string, ...unknown[]]> = []
  open = 0
  streamOpened(source: string) {
    this.open++
    this.calls.push(['streamOpened', source])
    return () => void this.open--
  }
  upstreamCall(labels: unknown, ms: number) { this.calls.push(['upstreamCall', labels, ms]) }
  timeToFirstToken(...args: unknown[]) { this.calls.push(['timeToFirstToken', ...args]) }
  overhead(...args: unknown[]) { this.calls.push(['overhead', ...args]) }
  tokens(...args: unknown[]) { this.calls.push(['tokens', ...args]) }
  quotaRejected(...args: unknown[]) { this.calls.push(['quotaRejected', ...args]) }
  oauthRefresh(...args: unknown[]) { this.calls.push(['oauthRefresh', ...args]) }
  accountStatusChanged(...args: unknown[]) { this.calls.push(['accountStatusChanged', ...args]) }
  named(name: string) {
    return this.calls.filter((c) => c[0] === name).map((c) => c.slice(1))
  }
}

export const MODELS = {
  openai: { modelId: 'gpt-4o-mini', alias: 'gpt-relay', base: (u: string) => `${u}/v1` },
  anthropic: { modelId: 'claude-sonnet-4-5', alias: 'claude-relay', base: (u: string) => u },
  gemini: { modelId: 'gemini-2.5-flash', alias: 'gemini-relay', base: (u: string) => u },
} as const
export type Kind = keyof typeof MODELS

export const RELAY_KEY = 'sk-relay_test-platform-key-0001'

export interface RelayWorld {
  t: TestApp
  upstream: Upstream
  keys: StaticApiKeyAuthenticator
  gate: RecordingGate
  recorder: RecordingRecorder
  metrics: RecordingMetrics
  user: { token: string; id: string }
  /** Model config ids by kind (each has the alias MODELS[kind].alias). */
  models: Record<Kind, string>
  /** http://127.0.0.1:PORT of a real listening server running the app. */
  url: string
  /** Adds a platform key for the test user. */
  addKey(secret: string, options?: { allowedModels?: string[]; limits?: Limits }): KeyPrincipal
  reset(): void
  close(): Promise<void>
}

/**
 * The real app (fake key authenticator, recording gate/recorder/metrics) listening on a port, with
 * one user owning an openai, an anthropic and a gemini model pointed at the test upstream.
 */
export async function startRelayWorld(relayOptions: Partial<RelayOptions> = {}): Promise<RelayWorld> {
  const upstream = await startUpstream()
  const keys = new StaticApiKeyAuthenticator()
  const gate = new RecordingGate()
  const recorder = new RecordingRecorder()
  const metrics = new RecordingMetrics()
  const t = await createTestApp({
    override: (c) => {
      if (!c.isRegistered(ProviderPassthrough)) registerRelay(c)
      bindValue(c, RelayOptions, { ...DEFAULT_RELAY_OPTIONS, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...relayOptions })
      bindValue(c, ApiKeyAuthenticator, keys)
      bindValue(c, UsageGate, gate)
      bindValue(c, UsageRecorder, recorder)
      bindValue(c, Metrics, metrics)
    },
  })
  // Until the app mounts the relay itself (src/app.ts), mount it here.
  if (!t.app.routes.some((r) => r.path === '/v1/chat/completions')) t.app.route('/', relayRoutes(t.container))
  const user = await t.registerUser('relay-user')
  const models = {} as Record<Kind, string>
  for (const kind of Object.keys(MODELS) as Kind[]) {
    const m = MODELS[kind]
    const res = await t.request('POST', '/api/models', {
      token: user.token,
      body: { providerKind: kind, displayName: `${kind} relay`, modelId: m.modelId, alias: m.alias, baseUrl: m.base(upstream.url), apiKey: UPSTREAM_KEY },
    })
    if (res.status !== 201) throw new Error(`model ${kind}: ${res.status} ${JSON.stringify(res.body)}`)
    models[kind] = res.body.id
  }
  const server: ServerType = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const addKey = (secret: string, options: { allowedModels?: string[]; limits?: Limits } = {}) => {
    const principal: KeyPrincipal = {
      actor: { userId: user.id, username: 'relay-user', role: 'USER', apiKeyId: `key-${secret.slice(-4)}` },
      keyId: `key-${secret.slice(-4)}`,
      allowedModels: options.allowedModels ?? [],
      limits: options.limits ?? {},
    }
    keys.add(secret, principal)
    return principal
  }
  addKey(RELAY_KEY)

  return {
    t, upstream, keys, gate, recorder, metrics, user, models, url, addKey,
    reset() {
      upstream.reset()
      gate.admitted.length = 0
      gate.settled.length = 0
      recorder.entries.length = 0
      metrics.calls.length = 0
    },
    async close() {
      server.close()
      ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      await t.close()
      await upstream.close()
    },
  }
}

/** Polls until `check` passes (accounting runs after the last byte went out). */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      check()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}
