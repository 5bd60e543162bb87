import { beforeEach, describe, expect, it } from 'vitest'
import { OAUTH_FLOW_TTL_MS } from '../../../src/features/accounts/oauth/oauth-flow.store.port.ts'
import { OAuthEndpointFailed, OAuthInvalidGrant } from '../../../src/features/accounts/oauth/oauth-token-client.port.ts'
import { FinishOAuth } from '../../../src/features/accounts/finish-oauth.use-case.ts'
import type { PkceSource } from '../../../src/features/accounts/oauth/pkce.port.ts'
import { StartOAuth } from '../../../src/features/accounts/start-oauth.use-case.ts'
import type { CodeAssistProjects } from '../../../src/features/accounts/oauth/code-assist-projects.port.ts'
import type { OutboundRoute } from '../../../src/shared/outbound/outbound-transport.port.ts'
import { SequentialIds } from '../../../src/shared/testing/fakes.ts'
import { profiles } from './account-tokens.fixtures.ts'
import { ACCESS, accountsKit, expectNoSecret, other, PROXY, REFRESH, root } from './accounts-kit.ts'

class FakePkce implements PkceSource {
  private n = 0
  create() {
    const n = ++this.n
    return { verifier: `verifier-${n}-0123456789abcdef0123456789abcdef0123`, challenge: `challenge-${n}`, state: `state-${n}` }
  }
}

class FakeProjects implements CodeAssistProjects {
  readonly asked: Array<{ accessToken: string; baseUrl: string; route: OutboundRoute }> = []
  answer: string | null | Error = 'proj-found'
  async discover(accessToken: string, baseUrl: string, route: OutboundRoute) {
    this.asked.push({ accessToken, baseUrl, route })
    if (this.answer instanceof Error) throw this.answer
    return this.answer
  }
}

async function oauthKit() {
  const k = await accountsKit()
  const projects = new FakeProjects()
  return {
    ...k,
    projects,
    start: new StartOAuth(profiles, new FakePkce(), k.flows, new SequentialIds('flow'), k.clock, k.audit),
    finish: new FinishOAuth(k.flows, profiles, k.tokenClient, k.create, k.clock, projects),
  }
}

describe('OAuth sign-in of an upstream account (StartOAuth -> FinishOAuth)', () => {
  let k: Awaited<ReturnType<typeof oauthKit>>
  beforeEach(async () => {
    k = await oauthKit()
  })

  const start = (over: Record<string, unknown> = {}) => k.start.execute({ actor: root, providerKind: 'anthropic', ...over })

  it('saves the flow (verifier, state, proxy) and hands out only the id and the authorize URL', async () => {
    const out = await start({ name: 'team', proxyUrl: PROXY })
    expect(out.flowId).toBe('flow-0001')
    expect(out.expiresAt).toBe(new Date(k.clock.now().getTime() + OAUTH_FLOW_TTL_MS).toISOString())
    const url = new URL(out.authorizeUrl)
    expect(url.searchParams.get('state')).toBe('state-1')
    expect(url.searchParams.get('code_challenge')).toBe('challenge-1')
    expect(out.authorizeUrl).not.toContain('verifier')
    expect(await k.flows.peek(out.flowId)).toMatchObject({ providerKind: 'anthropic', state: 'state-1', name: 'team', proxyUrl: PROXY, createdBy: root.userId })
    expect(k.audit.records).toMatchObject([{ action: 'accounts.oauth_authorized', metadata: { providerKind: 'anthropic', name: 'team' } }])
    expectNoSecret([out, k.audit.records])
  })

  it('refuses a malformed proxy before saving anything', async () => {
    await expect(start({ proxyUrl: 'socks9://x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(k.flows.flows.size).toBe(0)
  })

  it.each([
    ['a bare code', (_state: string) => ({ code: 'the-code' })],
    ['code#state', (state: string) => ({ code: `the-code#${state}` })],
    ['the callback URL', (state: string) => ({ callbackUrl: `https://auth.test/callback?code=the-code&state=${state}` })],
  ])('exchanges %s through the flow\'s proxy and creates the account with the token set', async (_what, pasted) => {
    const { flowId } = await start({ proxyUrl: PROXY })
    const view = await k.finish.execute({ actor: root, flowId, ...pasted('state-1') })
    expect(k.tokenClient.calls).toMatchObject([{ exchange: { code: 'the-code', verifier: expect.stringMatching(/^verifier-1/), state: 'state-1' }, route: { proxyUrl: PROXY } }])
    expect(view).toMatchObject({ name: 'Claude account 2026-12-07', authType: 'oauth', providerKind: 'anthropic', hint: 'ACC1', scopes: 'user:profile user:inference' })
    expect(view.tokenExpiresAt).not.toBeNull()
    expect(k.secretsOf(view.id)).toEqual({ accessToken: ACCESS, refreshToken: REFRESH })
    expect(k.proxyOf(view.id)).toBe(PROXY)
    expect(await k.flows.peek(flowId)).toBeNull()
    expect(k.audit.records.at(-1)).toMatchObject({ action: 'accounts.created', metadata: { via: 'oauth', authType: 'oauth' } })
    expectNoSecret([view, k.audit.records])
  })

  it('takes the name, proxy and project given at the exchange over the flow\'s', async () => {
    const { flowId } = await k.start.execute({ actor: root, providerKind: 'gemini', name: 'from flow' })
    const view = await k.finish.execute({ actor: root, flowId, code: 'c', name: 'mine', proxyUrl: PROXY, projectId: 'proj-9' })
    expect(view).toMatchObject({ name: 'mine', projectId: 'proj-9', providerKind: 'gemini' })
    expect(k.tokenClient.calls[0]!.route).toEqual({ proxyUrl: PROXY })
  })

  it('asks Code Assist for the project of a Gemini account signed in without one, through the flow\'s proxy', async () => {
    const { flowId } = await k.start.execute({ actor: root, providerKind: 'gemini', proxyUrl: PROXY })
    const view = await k.finish.execute({ actor: root, flowId, code: 'c' })
    expect(view.projectId).toBe('proj-found')
    expect(k.projects.asked).toEqual([{ accessToken: ACCESS, baseUrl: 'https://cloudcode-pa.googleapis.com', route: { proxyUrl: PROXY } }])
  })

  it('keeps the tokens when the project lookup fails: the account is created without one', async () => {
    k.projects.answer = new Error('Code Assist is down')
    const { flowId } = await k.start.execute({ actor: root, providerKind: 'gemini' })
    const view = await k.finish.execute({ actor: root, flowId, code: 'c', baseUrl: 'http://127.0.0.1:9/' })
    expect(view).toMatchObject({ projectId: null, baseUrl: 'http://127.0.0.1:9' })
    expect(k.projects.asked[0]!.baseUrl).toBe('http://127.0.0.1:9/')
  })

  it('never asks for an Anthropic account or when the project was given', async () => {
    const { flowId } = await start()
    await k.finish.execute({ actor: root, flowId, code: 'c' })
    const gem = await k.start.execute({ actor: root, providerKind: 'gemini' })
    await k.finish.execute({ actor: root, flowId: gem.flowId, code: 'c', projectId: 'mine' })
    expect(k.projects.asked).toEqual([])
  })

  it('404s an unknown, expired, finished or another admin\'s flow', async () => {
    await expect(k.finish.execute({ actor: root, flowId: 'nope', code: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'OAuth flow not found or expired' })
    const { flowId } = await start()
    await expect(k.finish.execute({ actor: other, flowId, code: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await k.finish.execute({ actor: root, flowId, code: 'c' })
    await expect(k.finish.execute({ actor: root, flowId, code: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const late = await start()
    k.clock.advance(OAUTH_FLOW_TTL_MS + 1)
    await expect(k.finish.execute({ actor: root, flowId: late.flowId, code: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(k.tokenClient.calls).toHaveLength(1)
  })

  it('400s a state mismatch, a callback URL without a code, or neither/both inputs; the flow stays for a retry', async () => {
    const { flowId } = await start()
    for (const bad of [
      { code: 'c#wrong-state' },
      { callbackUrl: 'https://auth.test/callback?code=c&state=wrong-state' },
      { callbackUrl: 'https://auth.test/callback?state=state-1' },
      {},
      { code: 'c', callbackUrl: 'https://auth.test/callback?code=c' },
    ]) {
      await expect(k.finish.execute({ actor: root, flowId, ...bad }), JSON.stringify(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    expect(k.tokenClient.calls).toEqual([])
    expect(k.repo.accounts.size).toBe(0)
    expect(await k.flows.peek(flowId)).not.toBeNull()
  })

  it("lets the token endpoint's coded failures through, creating nothing", async () => {
    for (const failure of [new OAuthInvalidGrant('invalid_grant'), new OAuthEndpointFailed('the OAuth token endpoint answered HTML', false), new OAuthEndpointFailed('timed out', true, true)]) {
      k.tokenClient.failures.push(failure)
      const { flowId } = await start()
      await expect(k.finish.execute({ actor: root, flowId, code: 'c' })).rejects.toBe(failure)
    }
    expect(k.repo.accounts.size).toBe(0)
  })
})
