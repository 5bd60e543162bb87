// A real OAuth 2.0 authorization server for tests (authorization code with PKCE S256, refresh with
// rotation), in the two body formats the providers use: JSON (Anthropic) and form (Google).
//
//   const oauth = await startOAuthServer({ accessTtlSeconds: 3600, expiresIn: [5], clientSecret })
//   oauth.tokenUrl / oauth.authorizeUrl / oauth.port   point ANTHROPIC_OAUTH_* / GOOGLE_OAUTH_* here
//
// Signing in
//   oauth.authorize({ challenge, state, clientId?, redirectUri? })  the code a user's sign-in returns;
//       clientId / redirectUri, when given, must come back unchanged in the code exchange.
//       (issueCode is the same.) GET /authorize?code_challenge=..&state=..&client_id=..&redirect_uri=..
//       does it too and answers 302 to redirect_uri?code=..&state=..
//   oauth.seedTokens({ expiresInSeconds })   a token set as if signed in earlier (for imports);
//       default lifetime accessTtlSeconds, and it leaves oauth.expiresIn alone
//
// POST /token (application/json, or application/x-www-form-urlencoded with client_secret when the
// server has one). Codes are single use and need the S256 verifier of their challenge (and, in JSON,
// their state). A refresh rotates the refresh token (oauth.rotate = false: Google style, keeps it);
// an unknown or rotated-away refresh token is 400 {error: "invalid_grant"}.
//
// Lifetimes: each token set POST /token issues has the next expires_in of oauth.expiresIn (the
// `expiresIn` option, consumed in order; e.g. [1] makes the first one short), then accessTtlSeconds.
//
// Observing
//   oauth.calls          { authorization_code, refresh_token, total }: POST /token requests received,
//                        counted on arrival in every mode (total also counts other grant types)
//   oauth.requests       every POST /token: { json, params } (json: false for form-encoded)
//   oauth.reuse          refresh tokens presented after they had been rotated away
//   oauth.issuedSecrets() every code, access and refresh token issued so far (for no-leak asserts)
//   oauth.isValidAccessToken(token)  issued and not expired: for the test upstream (acceptsAccessToken)
//   oauth.revokeAccessTokens()       every access token invalid from now on; refresh tokens stay
//
// Misbehaving (assignable at any time)
//   oauth.mode = 'ok' | 'html' (200 text/html) | 'error500' | 'hang' (never answers)
//   oauth.delayMs         waits this long before every answer
//   oauth.echoSecrets     refusals quote the presented code / refresh token in error_description
//
//   await oauth.close()   also cuts hanging connections
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type OAuthServerMode = 'ok' | 'html' | 'error500' | 'hang'

export interface OAuthServerOptions {
  /** Lifetime of issued access tokens once `expiresIn` is used up (default 3600). */
  accessTtlSeconds?: number
  /** Lifetimes of the first token sets issued, in order. */
  expiresIn?: number[]
  /** Required in form-encoded requests when set (Google's installed-app secret). */
  clientSecret?: string
}

export interface AuthorizeRequest {
  challenge: string
  state?: string
  clientId?: string
  redirectUri?: string
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  expiresAt: Date
}

export interface OAuthServer {
  readonly url: string
  readonly port: number
  readonly tokenUrl: string
  readonly authorizeUrl: string
  readonly calls: { authorization_code: number; refresh_token: number; total: number }
  readonly requests: { json: boolean; params: TokenParams }[]
  readonly reuse: number
  mode: OAuthServerMode
  rotate: boolean
  delayMs: number
  echoSecrets: boolean
  accessTtlSeconds: number
  expiresIn: number[]
  authorize(request: AuthorizeRequest): string
  issueCode(request: AuthorizeRequest): string
  seedTokens(options?: { expiresInSeconds?: number }): IssuedTokens
  issuedSecrets(): string[]
  isValidAccessToken(token: string): boolean
  revokeAccessTokens(): void
  close(): Promise<void>
}

export type TokenParams = Record<string, string | undefined>
type Answer = { status: number; body: unknown }

const secret = (prefix: string) => `${prefix}-${randomBytes(18).toString('base64url')}`
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')
const isJson = (req: IncomingMessage) => String(req.headers['content-type']).startsWith('application/json')

async function readBody(req: IncomingMessage): Promise<TokenParams> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!isJson(req)) return Object.fromEntries(new URLSearchParams(text))
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' ? (parsed as TokenParams) : {}
  } catch {
    return {}
  }
}

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const codes = new Map<string, AuthorizeRequest>()
  const accessTokens = new Map<string, number>() // token -> expiry (epoch ms)
  const refreshTokens = new Set<string>()
  const rotatedAway = new Set<string>()
  const issued: string[] = []
  const sockets = new Set<Socket>()
  const calls = { authorization_code: 0, refresh_token: 0, total: 0 }
  const requests: OAuthServer['requests'] = []
  let reuse = 0

  function issue(keepRefreshToken?: string, lifetime?: number) {
    const expiresIn = lifetime ?? server.expiresIn.shift() ?? server.accessTtlSeconds
    const accessToken = secret('oat')
    accessTokens.set(accessToken, Date.now() + expiresIn * 1000)
    const refreshToken = keepRefreshToken ?? secret('ort')
    refreshTokens.add(refreshToken)
    issued.push(accessToken, refreshToken)
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn, token_type: 'Bearer', scope: 'user:profile user:inference' }
  }

  const refused = (description: string, presented: string | undefined): Answer => ({
    status: 400,
    body: { error: 'invalid_grant', error_description: server.echoSecrets && presented ? `${description}: ${presented}` : description },
  })

  function exchangeCode(body: TokenParams, json: boolean): Answer {
    const pending = codes.get(body.code ?? '')
    codes.delete(body.code ?? '')
    if (!pending) return refused('Invalid or expired authorization code', body.code)
    if (!body.code_verifier || s256(body.code_verifier) !== pending.challenge) return refused('PKCE verification failed', body.code_verifier)
    if (json && pending.state !== undefined && body.state !== pending.state) return refused('state mismatch', body.state)
    if (pending.clientId !== undefined && body.client_id !== pending.clientId) return refused('client_id differs from the authorization request', body.code)
    if (pending.redirectUri !== undefined && body.redirect_uri !== pending.redirectUri) return refused('redirect_uri differs from the authorization request', body.code)
    return { status: 200, body: issue() }
  }

  function refresh(body: TokenParams): Answer {
    const presented = body.refresh_token ?? ''
    if (!refreshTokens.has(presented)) {
      if (rotatedAway.has(presented)) reuse++
      return refused('Refresh token not found or invalid', presented)
    }
    if (!server.rotate) return { status: 200, body: { ...issue(presented), refresh_token: undefined } }
    refreshTokens.delete(presented)
    rotatedAway.add(presented)
    return { status: 200, body: issue() }
  }

  function grant(body: TokenParams, json: boolean): Answer {
    if (!json && options.clientSecret && body.client_secret !== options.clientSecret) return { status: 401, body: { error: 'invalid_client' } }
    if (body.grant_type === 'authorization_code') return exchangeCode(body, json)
    if (body.grant_type === 'refresh_token') return refresh(body)
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }

  function redirectAfterSignIn(url: URL, res: ServerResponse) {
    const query = url.searchParams
    const redirectUri = query.get('redirect_uri') ?? 'http://localhost/callback'
    const state = query.get('state') ?? undefined
    const code = server.authorize({ challenge: query.get('code_challenge') ?? '', state, clientId: query.get('client_id') ?? undefined, redirectUri })
    const back = new URL(redirectUri)
    back.searchParams.set('code', code)
    if (state !== undefined) back.searchParams.set('state', state)
    res.writeHead(302, { location: back.toString() }).end()
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://oauth')
    if (req.method === 'GET' && url.pathname === '/authorize') return redirectAfterSignIn(url, res)
    if (req.method !== 'POST' || url.pathname !== '/token') return void res.writeHead(404).end()
    const body = await readBody(req)
    requests.push({ json: isJson(req), params: body })
    calls.total++
    if (body.grant_type === 'authorization_code' || body.grant_type === 'refresh_token') calls[body.grant_type]++
    if (server.mode === 'hang') return
    if (server.delayMs) await new Promise((done) => setTimeout(done, server.delayMs))
    if (server.mode === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Moved</body></html>')
    if (server.mode === 'error500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}')
    const answer = grant(body, isJson(req))
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  }

  const http = createServer((req, res) => void handle(req, res).catch(() => res.destroy()))
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done))
  const port = (http.address() as AddressInfo).port
  const base = `http://127.0.0.1:${port}`

  const authorize = (request: AuthorizeRequest) => {
    const code = secret('code')
    codes.set(code, request)
    issued.push(code)
    return code
  }

  const server: OAuthServer = {
    url: base,
    port,
    tokenUrl: `${base}/token`,
    authorizeUrl: `${base}/authorize`,
    calls,
    requests,
    get reuse() {
      return reuse
    },
    mode: 'ok',
    rotate: true,
    delayMs: 0,
    echoSecrets: false,
    accessTtlSeconds: options.accessTtlSeconds ?? 3600,
    expiresIn: [...(options.expiresIn ?? [])],
    authorize,
    issueCode: authorize,
    seedTokens({ expiresInSeconds } = {}) {
      const tokens = issue(undefined, expiresInSeconds ?? server.accessTtlSeconds)
      return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000) }
    },
    issuedSecrets: () => [...issued],
    isValidAccessToken: (candidate) => (accessTokens.get(candidate) ?? 0) > Date.now(),
    revokeAccessTokens: () => accessTokens.clear(),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy()
        http.close(() => done())
      }),
  }
  return server
}
