import { OutboundError, type OutboundRoute, type OutboundTimeouts, type OutboundTransport } from '../../../../shared/outbound/outbound-transport.port.ts'
import { readBounded } from '../../../providers/adapters/upstream-call.ts'
import type { OAuthProfile } from '../oauth-profile.ts'
import { OAuthEndpointFailed, OAuthInvalidGrant, type CodeExchange, type OAuthTokenClient, type TokenSet } from '../oauth-token-client.port.ts'

/** A token endpoint is one small request: it never waits longer than this for an answer. */
const MAX_TOKEN_WAIT_MS = 15_000

/** RFC 6749 5.2: the codes that mean the grant (code or refresh token) itself is no good. */
const REFUSED_GRANT = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'unsupported_grant_type'])

const SECRET_PARAMS = ['code', 'code_verifier', 'refresh_token', 'client_secret']
/** An `error` shaped like RFC 6749's codes; anything else (which might quote a secret) stays out of messages. */
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/i

interface TokenResponse {
  access_token?: unknown
  refresh_token?: unknown
  expires_in?: unknown
  scope?: unknown
  error?: unknown
  error_description?: unknown
}

/**
 * The OAuth token endpoint over the outbound transport, so the account's proxy carries the
 * exchange and every refresh. Only the endpoint's error code and a short description ever reach a
 * message; no token, code or verifier does.
 */
export class HttpOAuthTokenClient implements OAuthTokenClient {
  private readonly timeouts: OutboundTimeouts

  /** `timeouts`: the transport's (UPSTREAM_*_TIMEOUT_MS), the header and idle ones capped at 15 s. */
  constructor(
    private readonly transport: OutboundTransport,
    private readonly now: () => Date = () => new Date(),
    timeouts: OutboundTimeouts = { connectMs: 10_000, headersMs: MAX_TOKEN_WAIT_MS, idleMs: MAX_TOKEN_WAIT_MS },
  ) {
    this.timeouts = { connectMs: timeouts.connectMs, headersMs: Math.min(timeouts.headersMs, MAX_TOKEN_WAIT_MS), idleMs: Math.min(timeouts.idleMs, MAX_TOKEN_WAIT_MS) }
  }

  exchangeCode(profile: OAuthProfile, exchange: CodeExchange, route: OutboundRoute, signal?: AbortSignal): Promise<TokenSet> {
    const params: Record<string, string> = {
      grant_type: 'authorization_code',
      client_id: profile.clientId,
      code: exchange.code,
      redirect_uri: profile.redirectUri,
      code_verifier: exchange.verifier,
    }
    // Anthropic's endpoint wants the state back; Google's rejects unknown parameters it does not need.
    if (profile.tokenBodyFormat === 'json') params.state = exchange.state
    return this.post(profile, params, route, signal)
  }

  refresh(profile: OAuthProfile, refreshToken: string, route: OutboundRoute, signal?: AbortSignal): Promise<TokenSet> {
    return this.post(profile, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: profile.clientId }, route, signal)
  }

  private async post(profile: OAuthProfile, params: Record<string, string>, route: OutboundRoute, signal?: AbortSignal): Promise<TokenSet> {
    if (profile.clientSecret) params.client_secret = profile.clientSecret
    const json = profile.tokenBodyFormat === 'json'
    const body = json ? JSON.stringify(params) : new URLSearchParams(params).toString()
    let status: number
    let text: string
    try {
      const response = await this.transport.request({
        method: 'POST',
        url: profile.tokenUrl,
        headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        route,
        signal,
        timeouts: this.timeouts,
      })
      status = response.status
      text = await readBounded(response.body)
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error
      throw transportFailure(error)
    }
    return this.tokenSetOf(status, text, profile, SECRET_PARAMS.flatMap((name) => params[name] || []))
  }

  private tokenSetOf(status: number, text: string, profile: OAuthProfile, secrets: string[]): TokenSet {
    const parsed = parseJson(text)
    const errorCode = typeof parsed?.error === 'string' ? parsed.error : undefined
    if (status >= 400 && errorCode && REFUSED_GRANT.has(errorCode)) {
      throw new OAuthInvalidGrant(errorCode, describe(parsed?.error_description, secrets))
    }
    if (status >= 500 || status === 429 || status === 408) {
      throw new OAuthEndpointFailed(`The OAuth token endpoint answered ${status}`, true)
    }
    if (!parsed) throw new OAuthEndpointFailed(`The OAuth token endpoint answered ${status} with something that is not JSON (is ${hostOf(profile.tokenUrl)} the right token URL?)`, false)
    if (status >= 400) throw new OAuthEndpointFailed(`The OAuth token endpoint answered ${status}${errorCode && ERROR_CODE.test(errorCode) ? ` (${errorCode})` : ''}`, false)
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw new OAuthEndpointFailed('The OAuth token endpoint answered without an access token', false)
    }
    const expiresIn = Number(parsed.expires_in)
    return {
      accessToken: parsed.access_token,
      refreshToken: typeof parsed.refresh_token === 'string' && parsed.refresh_token !== '' ? parsed.refresh_token : null,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(this.now().getTime() + expiresIn * 1000) : null,
      scopes: typeof parsed.scope === 'string' ? parsed.scope : null,
    }
  }
}

function parseJson(text: string): TokenResponse | null {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as TokenResponse) : null
  } catch {
    return null
  }
}

/**
 * Descriptions are the endpoint's prose: kept short, and dropped if they quote a secret that was
 * sent (codes may be shorter than any pattern) or look like they quote some other token.
 */
function describe(value: unknown, secrets: string[]): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  if (secrets.some((secret) => value.includes(secret))) return undefined
  const short = value.slice(0, 160)
  return /[A-Za-z0-9_-]{32,}/.test(short) ? undefined : short
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the endpoint'
  }
}

function transportFailure(error: unknown): OAuthEndpointFailed {
  if (error instanceof OutboundError) {
    const timedOut = error.kind.endsWith('_timeout')
    return new OAuthEndpointFailed(`The OAuth token endpoint could not be reached: ${error.message}`, true, timedOut)
  }
  return new OAuthEndpointFailed('The OAuth token endpoint could not be reached', true)
}
