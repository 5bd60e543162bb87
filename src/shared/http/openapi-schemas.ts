import { z } from '@hono/zod-openapi'
import { ERROR_CODES } from '../errors.ts'

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .openapi('ErrorEnvelope')

const errorContent = { 'application/json': { schema: ErrorEnvelope } }

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  429: 'Too many requests',
  502: 'Upstream provider error',
  503: 'Unavailable',
}

/** OpenAPI response entries in the error envelope for the given statuses. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: errorContent }]),
  )
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
