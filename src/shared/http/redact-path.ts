/**
 * Request paths are written to the access log and quoted in 404 messages, and clients do put
 * credentials in them (`/v1/models/sk-...` for a model name, a token pasted into a URL). A path
 * segment that looks like a credential is replaced before it is written anywhere: one with a known
 * key or token prefix (platform keys `sk-`, refresh tokens `rt_`, JWTs `eyJ`, Google `AIza`/`ya29.`,
 * GitHub, Slack, GitLab, Hugging Face), or a long opaque run (32+ characters of a key alphabet with
 * no `-` or `.`, e.g. a 32-hex Azure key). Ids (UUIDs) and model names keep their separators.
 */
const CREDENTIAL_PREFIX = /^(sk-|sk_|rt_|eyJ|AIza|ya29\.|gh[pousr]_|github_pat_|xox[abprs]-|glpat-|hf_)/
const OPAQUE_RUN = /^[A-Za-z0-9_+/=~%]{32,}$/

export const REDACTED = '[redacted]'

const looksLikeCredential = (segment: string): boolean => CREDENTIAL_PREFIX.test(segment) || OPAQUE_RUN.test(segment)

export function redactPath(path: string): string {
  if (path.length < 8) return path
  return path
    .split('/')
    .map((segment) => (looksLikeCredential(segment) ? REDACTED : segment))
    .join('/')
}
