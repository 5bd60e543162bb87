import { z } from '@hono/zod-openapi'
import { MAX_WEIGHT, MIN_WEIGHT } from './credential-pool.ts'
import { MAX_API_KEY_LENGTH } from './model-rules.ts'

const Label = z.string().trim().min(1).max(100)
const Weight = z.number().int().min(MIN_WEIGHT).max(MAX_WEIGHT).openapi({ description: 'Relative share of the requests (the model\'s own key counts as 1)' })

export const AddPoolCredentialBody = z
  .strictObject({
    label: Label,
    apiKey: z.string().min(1).max(MAX_API_KEY_LENGTH).openapi({ description: 'Provider key; write-only, never returned' }),
    weight: Weight.optional().openapi({ description: 'Default 1' }),
  })
  .openapi('AddPoolCredential')

export const UpdatePoolCredentialBody = z
  .strictObject({ label: Label.optional(), weight: Weight.optional(), enabled: z.boolean().optional() })
  .openapi('UpdatePoolCredential')

const keyState = {
  state: z.enum(['ready', 'cooling']).openapi({ description: 'cooling: it failed recently and is tried only after every ready key' }),
  cooldownUntil: z.string().nullable().openapi({ description: 'End of the latest known cooldown (past when ready again)' }),
  lastStatus: z.number().int().nullable().openapi({ description: 'Upstream status that caused it (0: network failure)' }),
}

export const PoolCredentialSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    hint: z.string().openapi({ description: 'Last 4 characters of the key' }),
    weight: z.number().int(),
    enabled: z.boolean(),
    createdAt: z.string(),
    ...keyState,
  })
  .openapi('PoolCredential')

export const PoolSchema = z
  .object({
    modelKey: z
      .object({ hint: z.string(), ...keyState })
      .nullable()
      .openapi({ description: "The model's own key (set through POST /api/models/{id}/api-key), part of the pool with weight 1" }),
    items: z.array(PoolCredentialSchema),
  })
  .openapi('CredentialPool')
