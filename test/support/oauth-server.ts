// A real OAuth 2.0 authorization server for tests (authorization code with PKCE S256, refresh with
// rotation), in the two body formats the providers use: JSON (Anthropic) and form (Google).
//
//   const oauth = await startOAuthServer({ accessTtlSeconds: 3600 })
//   oauth.tokenUrl / oauth.authorizeUrl       point ANTHROPIC_OAUTH_* / GOOGLE_OAUTH_* here
//   oauth.issueCode({ challenge, state })     what a user's sign-in would return; or GET /authorize
//   oauth.seedTokens({ expiresInSeconds })    a token set as if signed in earlier (for imports)
//   oauth.isValidAccessToken(token)           for the test upstream (acceptsAccessToken)
//   oauth.calls / oauth.reuse                 token calls by grant type; refresh tokens used twice
//   oauth.mode = 'html' | 'error500' | 'hang' the endpoint misbehaving; oauth.delayMs slows answers
//   oauth.rotate = false                      Google style: a refresh keeps the refresh token
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Socket } from 'node:net'

export type OAuthServerMode = 'ok' | 'html' | 'error500' | 'hang'

export interface OAuthServerOptions {
  /** Lifetime of issued access tokens (default 3600). */
  accessTtlSeconds?: number
  /** Required in form-encoded requests when set (Google's installed-app secret). */
  clientSecret?: string
}

export interface OAuthServer {
  readonly url: string
  readonly tokenUrl: string
  readonly authorizeUrl: string
  readonly calls: { authorization_code: number; refresh_token: number }
  /** Refresh tokens presented after they had been rotated away. */
  readonly reuse: number
  mode: OAuthServerMode
  rotate: boolean
  delayMs: number
  accessTtlSeconds: number
  issueCode(request: { challenge: string; state?: string }): string
  seedTokens(options?: { expiresInSeconds?: number }): { accessToken: string; refreshToken: string; expiresAt: Date }
  isValidAccessToken(token: string): boolean
  /** Invalidates every access token (as a provider-side revocation would), refresh tokens stay. */
  revokeAccessTokens(): void
  close(): Promise<void>
}

const token = (prefix: string) => `${prefix}-${randomBytes(18).toString('base64url')}`
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (String(req.headers['content-type']).startsWith('application/json')) {
    try {
      return JSON.parse(text) as Record<string, string>
    } catch {
      return {}
    }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const codes = new Map<string, { challenge: string; state?: string }>()
  const accessTokens = new Map<string, number>() // token -> expiry (epoch ms)
  const refreshTokens = new Set<string>()
  const rotatedAway = new Set<string>()
  const sockets = new Set<Socket>()
  const calls = { authorization_code: 0, refresh_token: 0 }
  let reuse = 0

  const state = {
    mode: 'ok' as OAuthServerMode,
    rotate: true,
    delayMs: 0,
    accessTtlSeconds: options.accessTtlSeconds ?? 3600,
  }

  function issue(refreshToken?: string) {
    const accessToken = token('oat')
    accessTokens.set(accessToken, Date.now() + state.accessTtlSeconds * 1000)
    const refresh = refreshToken ?? token('ort')
    refreshTokens.add(refresh)
    return { access_token: accessToken, refresh_token: refresh, expires_in: state.accessTtlSeconds, token_type: 'Bearer', scope: 'user:profile user:inference' }
  }

  function grant(body: Record<string, string>, form: boolean): { status: number; body: unknown } {
    const refused = (description: string) => ({ status: 400, body: { error: 'invalid_grant', error_description: description } })
    if (form && options.clientSecret && body.client_secret !== options.clientSecret) return { status: 401, body: { error: 'invalid_client' } }
    if (body.grant_type === 'authorization_code') {
      calls.authorization_code++
      const pending = codes.get(body.code ?? '')
      codes.delete(body.code ?? '')
      if (!pending) return refused('Invalid or expired authorization code')
      if (!body.code_verifier || s256(body.code_verifier) !== pending.challenge) return refused('PKCE verification failed')
      if (!form && pending.state !== undefined && body.state !== pending.state) return refused('state mismatch')
      return { status: 200, body: issue() }
    }
    if (body.grant_type === 'refresh_token') {
      calls.refresh_token++
      const presented = body.refresh_token ?? ''
      if (!refreshTokens.has(presented)) {
        if (rotatedAway.has(presented)) reuse++
        return refused('Refresh token not found or invalid')
      }
      if (!state.rotate) return { status: 200, body: { ...issue(presented), refresh_token: undefined } }
      refreshTokens.delete(presented)
      rotatedAway.add(presented)
      return { status: 200, body: issue() }
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://oauth')
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const code = server.issueCode({ challenge: url.searchParams.get('code_challenge') ?? '', state: url.searchParams.get('state') ?? undefined })
      const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://localhost/callback')
      back.searchParams.set('code', code)
      if (url.searchParams.has('state')) back.searchParams.set('state', url.searchParams.get('state')!)
      res.writeHead(302, { location: back.toString() }).end()
      return
    }
    if (req.method !== 'POST' || url.pathname !== '/token') return void res.writeHead(404).end()
    const body = await readBody(req)
    if (state.mode === 'hang') return
    if (state.delayMs) await new Promise((done) => setTimeout(done, state.delayMs))
    if (state.mode === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Moved</body></html>')
    if (state.mode === 'error500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}')
    const answer = grant(body, !String(req.headers['content-type']).startsWith('application/json'))
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  }

  const http = createServer((req, res) => void handle(req, res).catch(() => res.destroy()))
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done))
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`

  const server: OAuthServer = {
    url: base,
    tokenUrl: `${base}/token`,
    authorizeUrl: `${base}/authorize`,
    calls,
    get reuse() {
      return reuse
    },
    get mode() {
      return state.mode
    },
    set mode(mode) {
      state.mode = mode
    },
    get rotate() {
      return state.rotate
    },
    set rotate(rotate) {
      state.rotate = rotate
    },
    get delayMs() {
      return state.delayMs
    },
    set delayMs(ms) {
      state.delayMs = ms
    },
    get accessTtlSeconds() {
      return state.accessTtlSeconds
    },
    set accessTtlSeconds(seconds) {
      state.accessTtlSeconds = seconds
    },
    issueCode({ challenge, state: flowState }) {
      const code = token('code')
      codes.set(code, { challenge, state: flowState })
      return code
    },
    seedTokens({ expiresInSeconds = state.accessTtlSeconds } = {}) {
      const issued = issue()
      accessTokens.set(issued.access_token, Date.now() + expiresInSeconds * 1000)
      return { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) }
    },
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
