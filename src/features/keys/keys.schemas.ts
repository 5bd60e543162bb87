import { z } from '@hono/zod-openapi'
import { LimitsSchema } from '../usage/usage.schemas.ts'
import { MAX_GRACE_SECONDS } from './platform-key.ts'

const nullableInstant = z.string().nullable().openapi({ format: 'date-time' })

export const PlatformKeySchema = z
  .object({
    id: z.string(),
    ownerId: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The 8 characters after "sk-" in the secret', example: 'k3x9a0qz' }),
    status: z.enum(['active', 'expired', 'revoked']),
    allowedModels: z.array(z.string()),
    limits: LimitsSchema,
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: nullableInstant.openapi({ description: 'Updated at most once a minute' }),
    expiresAt: nullableInstant,
    revokedAt: nullableInstant,
    graceExpiresAt: nullableInstant.openapi({ description: 'Until then the secret before the last rotation still works' }),
  })
  .openapi('PlatformKey')

export const IssuedKeySchema = z
  .object({
    key: PlatformKeySchema,
    secret: z.string().openapi({ description: 'Shown this once: store it now. Use it as "Authorization: Bearer <secret>" on /v1.', example: 'sk-k3x9a0qz_...' }),
  })
  .openapi('IssuedPlatformKey')

export const KeyPageSchema = z
  .object({ items: z.array(PlatformKeySchema), page: z.number(), pageSize: z.number(), total: z.number() })
  .openapi('PlatformKeyPage')

export const CreateKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    allowedModels: z
      .array(z.string().min(1).max(200))
      .max(100)
      .optional()
      .openapi({ description: 'Model config ids or aliases the key may use; empty or absent = every model its owner may use' }),
    limits: LimitsSchema.optional(),
  })
  .openapi('CreatePlatformKeyRequest')

export const RotateKeyBody = z
  .strictObject({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .optional()
      .openapi({ description: 'How long the current secret keeps working (default 0: it stops at once; at most 7 days)' }),
  })
  .openapi('RotatePlatformKeyRequest')

export const KeyPageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
})
export const AdminKeyQuery = KeyPageQuery.extend({ ownerId: z.string().min(1).max(64).optional() })
