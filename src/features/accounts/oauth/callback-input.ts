import { InvalidAccountInput } from '../account-admin.errors.ts'
import type { OAuthFlow } from './oauth-flow.store.port.ts'

export interface PastedCallback {
  code: string
  /** null when the admin pasted a bare code (nothing to compare). */
  state: string | null
}

const invalid = (path: string, message: string) => new InvalidAccountInput([{ path, message }])

/**
 * What an admin pastes back after signing in: the whole callback URL (`...?code=..&state=..`), the
 * bare code, or Anthropic's `code#state`. Surrounding whitespace is ignored.
 */
export function parseCallbackInput(input: { callbackUrl: string } | { code: string }): PastedCallback {
  if ('callbackUrl' in input) {
    let url: URL
    try {
      url = new URL(input.callbackUrl.trim())
    } catch {
      throw invalid('callbackUrl', 'is not a URL (paste the whole address the browser landed on, or send code)')
    }
    const error = url.searchParams.get('error')
    if (error) throw invalid('callbackUrl', `carries the provider's refusal (${error.slice(0, 64)}); sign in again`)
    const code = url.searchParams.get('code')?.trim()
    if (!code) throw invalid('callbackUrl', 'has no code parameter')
    return { code, state: url.searchParams.get('state') ?? (url.hash ? url.hash.slice(1) : null) }
  }
  const raw = input.code.trim()
  const hash = raw.indexOf('#')
  const code = hash === -1 ? raw : raw.slice(0, hash)
  if (!code) throw invalid('code', 'must not be empty')
  return { code, state: hash === -1 ? null : raw.slice(hash + 1) }
}

/** A state that came with the paste must be the flow's: otherwise it belongs to another sign-in. */
export function assertStateMatches(flow: OAuthFlow, state: string | null): void {
  if (state !== null && state !== flow.state) throw invalid('state', 'does not match this flow (was the code from another sign-in?)')
}
