import { gemini, geminiChunks } from './gemini.ts'
import { heartbeatComment, sse, type Dialect, type ErrorReply } from './scenario.ts'

/**
 * Gemini through Code Assist (what Gemini CLI's Google sign-in uses): POST /v1internal:generateContent
 * and :streamGenerateContent?alt=sse with an OAuth bearer; the body wraps the public request as
 * {model, project, request} and every answer wraps it as {response}. POST /v1internal:loadCodeAssist
 * tells a signed-in user their project.
 */
export const CODE_ASSIST_PROJECT = 'sim-code-assist-project'

const err = (code: number, status: string, message: string): ErrorReply => ({ status: code, body: { error: { code, message, status } } })
const inner = (body: Record<string, unknown>) => (body.request && typeof body.request === 'object' ? (body.request as Record<string, unknown>) : {})

export const codeAssist: Dialect = {
  ...gemini,
  apiKey: (headers) => (typeof headers.authorization === 'string' ? /^Bearer (.+)$/.exec(headers.authorization)?.[1] : undefined),
  authError: () => err(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'),
  validate: (body, headers) => {
    if (typeof body.model !== 'string') return err(400, 'INVALID_ARGUMENT', 'model is required')
    if (body.project !== CODE_ASSIST_PROJECT) return err(403, 'PERMISSION_DENIED', `Permission denied on resource project ${String(body.project ?? '')}.`)
    return gemini.validate(inner(body), headers)
  },
  prepare: (body, scenario, model) => gemini.prepare(inner(body), scenario, model),
  json: (p) => ({ response: gemini.json(p) }),
  stream: (p) => {
    const chunks = geminiChunks(p).map((c) => sse(p, JSON.stringify({ response: c })))
    return { ...gemini.stream(p), head: [], delta: (_text, i) => chunks[i] ?? '', tail: chunks.slice(p.pieces.length), heartbeat: heartbeatComment(p) }
  },
}

export const loadCodeAssistAnswer = { cloudaicompanionProject: CODE_ASSIST_PROJECT, currentTier: { id: 'free-tier', name: 'Gemini Code Assist for individuals' } }
