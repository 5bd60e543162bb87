import { z } from '@hono/zod-openapi'
import { MAX_API_KEY_LENGTH } from './model-rules.ts'

const ProviderKindSchema = z.enum(['openai', 'anthropic', 'gemini'])
const VisibilitySchema = z.enum(['all', 'admins', 'users'])

export const DefaultParamsSchema = z
  .strictObject({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    stop: z.array(z.string().min(1).max(64)).max(4).optional(),
  })
  .openapi('ModelDefaultParams')

const ApiKeySchema = z.string().min(1).max(MAX_API_KEY_LENGTH).openapi({ description: 'Provider key; write-only, never returned' })

const fields = {
  providerKind: ProviderKindSchema,
  displayName: z.string().trim().min(1).max(100),
  modelId: z.string().trim().min(1).max(200).openapi({ description: 'The provider\'s model id, e.g. gpt-4o' }),
  baseUrl: z.string().max(2048).optional().openapi({ description: 'Defaults to the provider kind\'s (or known vendor\'s) endpoint' }),
  alias: z.string().max(64).nullable().optional(),
  contextWindow: z.number().int().min(1).max(100_000_000).optional().openapi({ description: 'Defaults from the table of known models; required for unknown models' }),
  maxOutputTokens: z.number().int().min(1).max(10_000_000).optional(),
  defaultParams: DefaultParamsSchema.optional(),
  enabled: z.boolean().optional(),
}
const systemFields = {
  visibility: VisibilitySchema.optional().openapi({ description: 'all (default), admins, or users (allowedUserIds)' }),
  allowedUserIds: z.array(z.string().min(1).max(64)).max(500).optional(),
}
const AccountIdsSchema = z
  .array(z.string().min(1).max(64))
  .max(500)
  .openapi({ description: 'Upstream accounts (of the model\'s provider kind) the model draws on; repeats are dropped' })

export const CreatePersonalModelBody = z.strictObject({ ...fields, apiKey: ApiKeySchema.optional() }).openapi('CreatePersonalModel')
export const CreateSystemModelBody = z
  .strictObject({ ...fields, ...systemFields, apiKey: ApiKeySchema.optional(), accountIds: AccountIdsSchema.optional() })
  .openapi('CreateSystemModel')
export const ReplaceModelAccountsBody = z.strictObject({ accountIds: AccountIdsSchema }).openapi('ReplaceModelAccounts')
// The key is not a field: PATCH refuses it; POST /models/{id}/api-key replaces it.
export const UpdatePersonalModelBody = z.strictObject(fields).partial().openapi('UpdatePersonalModel')
export const UpdateSystemModelBody = z.strictObject({ ...fields, ...systemFields }).partial().openapi('UpdateSystemModel')

export const RotateApiKeyBody = z
  .strictObject({
    apiKey: ApiKeySchema.nullable().openapi({ description: 'The new key; null removes it' }),
    verify: z.boolean().optional().openapi({ description: 'Test the new key against the provider first; refuse it if rejected' }),
  })
  .openapi('RotateApiKey')

export const RotateMasterKeyBody = z
  .strictObject({ batchSize: z.number().int().min(1).max(5000).optional(), dryRun: z.boolean().optional() })
  .openapi('RotateMasterKey')

export const ModelViewSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['personal', 'system']),
    displayName: z.string(),
    providerKind: ProviderKindSchema,
    modelId: z.string(),
    alias: z.string().nullable(),
    contextWindow: z.number().int(),
    maxOutputTokens: z.number().int(),
    defaultParams: DefaultParamsSchema,
    enabled: z.boolean(),
    hasApiKey: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    baseUrl: z.string().optional().openapi({ description: 'Managers only' }),
    apiKeyHint: z.string().nullable().optional().openapi({ description: 'Last 4 characters of the key; managers only' }),
    visibility: VisibilitySchema.optional(),
    allowedUserIds: z.array(z.string()).optional(),
    accountIds: z.array(z.string()).optional().openapi({ description: 'System models: the upstream accounts of its pool; managers only' }),
  })
  .openapi('Model')
export const ModelListSchema = z.object({ items: z.array(ModelViewSchema) }).openapi('ModelList')
export const RotatedModelSchema = ModelViewSchema.extend({ verified: z.boolean() }).openapi('RotatedModel')

export const ProbeResultSchema = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number().int(),
    error: z
      .object({
        code: z.string(),
        message: z.string().openapi({ description: 'What failed, in our words: never the upstream body or message' }),
        status: z.number().int().openapi({ description: "The upstream's HTTP status; 0: no answer (network, proxy, timeout); 200: an error inside the stream" }),
        providerCode: z.string().optional().openapi({ description: "The provider's error code or type from its JSON error (e.g. invalid_api_key, overloaded_error)" }),
      })
      .optional(),
  })
  .openapi('ModelTestResult')

export const ProvidersSchema = z
  .object({
    items: z.array(
      z.object({
        kind: ProviderKindSchema,
        defaultBaseUrl: z.string(),
        knownModels: z.array(z.object({ id: z.string(), contextWindow: z.number().int(), maxOutputTokens: z.number().int(), baseUrl: z.string().optional() })),
      }),
    ),
  })
  .openapi('Providers')

export const MasterKeyRotationSchema = z
  .object({
    currentKeyId: z.string(),
    dryRun: z.boolean(),
    total: z.number().int(),
    reencrypted: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    failures: z.array(z.object({ kind: z.string(), id: z.string(), reason: z.string() })),
    remainingByKeyId: z.record(z.string(), z.number().int()),
    oldKeysStillReferenced: z.array(z.string()),
    canRemove: z.array(z.string()),
    unknownKeyIds: z.array(z.string()),
  })
  .openapi('MasterKeyRotation')
