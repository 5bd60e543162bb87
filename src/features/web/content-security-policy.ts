/**
 * The console's Content-Security-Policy: its own scripts, styles and API only. No inline script or
 * style (the build emits files; Preact sets styles through the CSSOM, which CSP allows), no eval,
 * no framing, no plugins. Markdown replies are sanitized before they reach the DOM as well.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Paths the console never answers: the API, the relay, probes and metrics keep their own 404. */
export function isApiPath(path: string): boolean {
  return /^\/(api|v1|health|ready|metrics|openapi\.json)(\/|$)/.test(path)
}

/** Hashed build outputs never change under one name; index.html must be revalidated every time. */
export function cacheControlFor(file: string): string {
  return file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
}
