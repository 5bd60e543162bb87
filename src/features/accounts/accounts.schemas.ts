import { z } from '@hono/zod-openapi'
import { MAX_ACCOUNT_WEIGHT, MAX_IMPORT, MAX_SECRET_LENGTH, MIN_ACCOUNT_WEIGHT, type AccountInput } from './account-input.ts'
import { MAX_PRIORITY, MIN_PRIORITY, type AccountStatus } from './upstream-account.ts'

const ProviderKind = z.enum(['openai', 'anthropic', 'gemini'])
const OAuthProviderKind = z.enum(['anthropic', 'gemini'])
const Status = z.enum(['active', 'cooling_down', 'rate_limited', 'needs_reauth', 'blocked', 'disabled'] satisfies AccountStatus[])
const Name = z.string().trim().min(1).max(100)
const Secret = (description: string) => z.string().min(1).max(MAX_SECRET_LENGTH).openapi({ description: `${description}; write-only, never returned` })
const BaseUrl = z.string().min(1).max(2048).openapi({ description: "Overrides the provider kind's default endpoint" })
const ProxyUrl = z
  .string()
  .min(1)
  .max(2048)
  .openapi({ description: 'http://, https://, socks5:// or socks5h://, with optional URL-encoded user:password; write-only, shown masked as proxyDisplay' })
const Priority = z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).openapi({ description: `Lower is tried first (default 50)` })
const Weight = z.number().int().min(MIN_ACCOUNT_WEIGHT).max(MAX_ACCOUNT_WEIGHT).openapi({ description: 'Relative share among accounts of the same priority (default 1)' })
const ExpiresAt = z
  .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
  .openapi({ description: 'When the access token expires: an ISO 8601 date-time or epoch milliseconds' })

const common = {
  name: Name,
  baseUrl: BaseUrl.optional(),
  proxyUrl: ProxyUrl.optional(),
  priority: Priority.optional(),
  weight: Weight.optional(),
}

const ApiKeyAccountBody = z
  .strictObject({ authType: z.literal('api_key'), providerKind: ProviderKind, apiKey: Secret('Provider API key'), ...common })
  .openapi('NewApiKeyAccount')
const OAuthAccountBody = z
  .strictObject({
    authType: z.literal('oauth'),
    providerKind: OAuthProviderKind,
    accessToken: Secret('OAuth access token'),
    refreshToken: Secret('OAuth refresh token').optional(),
    expiresAt: ExpiresAt.optional(),
    projectId: z.string().trim().min(1).max(200).optional().openapi({ description: 'Gemini (Code Assist): the Google Cloud project' }),
    ...common,
  })
  .openapi('ImportedOAuthAccount')

export const CreateAccountBody = z.discriminatedUnion('authType', [ApiKeyAccountBody, OAuthAccountBody]).openapi('NewAccount')
export type CreateAccountBody = z.infer<typeof CreateAccountBody>

export const ImportAccountsBody = z
  .strictObject({ accounts: z.array(CreateAccountBody).min(1).max(MAX_IMPORT).openapi({ description: `1 to ${MAX_IMPORT} accounts, created all or none` }) })
  .openapi('ImportAccounts')

export const UpdateAccountBody = z
  .strictObject({
    name: Name.optional(),
    baseUrl: BaseUrl.nullable().optional().openapi({ description: "null: the provider kind's default endpoint" }),
    proxyUrl: ProxyUrl.nullable().optional().openapi({ description: 'null removes the proxy' }),
    priority: Priority.optional(),
    weight: Weight.optional(),
    enabled: z.boolean().optional().openapi({ description: 'false: disabled; true: a disabled account is active again' }),
    apiKey: Secret('api_key accounts: the new key').optional(),
    projectId: z.string().trim().min(1).max(200).nullable().optional().openapi({ description: 'gemini accounts: the Google Cloud project for Code Assist' }),
  })
  .openapi('UpdateAccount')

export const AccountListQuery = z.object({ providerKind: ProviderKind.optional(), status: Status.optional() })
export const AccountIdParam = z.object({ id: z.string().min(1).max(64) })

export const AccountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    providerKind: ProviderKind,
    authType: z.enum(['api_key', 'oauth']),
    baseUrl: z.string().nullable(),
    proxyDisplay: z.string().nullable().openapi({ description: 'The proxy URL with its password masked; null: direct' }),
    priority: z.number().int(),
    weight: z.number().int(),
    enabled: z.boolean(),
    status: Status,
    statusReason: z.string().nullable(),
    statusUntil: z.string().nullable(),
    hint: z.string().openapi({ description: 'Last 4 characters of the API key or access token' }),
    tokenExpiresAt: z.string().nullable(),
    scopes: z.string().nullable(),
    projectId: z.string().nullable(),
    lastRefreshedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    models: z.array(z.string()).openapi({ description: 'Ids of the system models whose pool holds it' }),
  })
  .openapi('UpstreamAccount')
export const AccountListSchema = z.object({ items: z.array(AccountSchema) }).openapi('UpstreamAccountList')

const ProbeStepSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  status: z.number().int().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
})
export const ProbeReportSchema = z
  .object({
    proxy: ProbeStepSchema.nullable().openapi({ description: 'null: the account has no proxy' }),
    upstream: ProbeStepSchema,
  })
  .openapi('AccountProbeReport')

export const StartOAuthBody = z
  .strictObject({ providerKind: OAuthProviderKind, name: Name.optional(), proxyUrl: ProxyUrl.optional() })
  .openapi('StartOAuth')
export const StartOAuthSchema = z
  .object({ flowId: z.string(), authorizeUrl: z.string(), expiresAt: z.string() })
  .openapi('OAuthAuthorization')

export const FinishOAuthBody = z
  .strictObject({
    flowId: z.string().min(1).max(200),
    code: z.string().min(1).max(4096).optional().openapi({ description: 'The code shown after sign-in (also `code#state`)' }),
    callbackUrl: z.string().min(1).max(8192).optional().openapi({ description: 'Or: the whole URL the browser was sent back to' }),
    name: Name.optional(),
    proxyUrl: ProxyUrl.optional(),
    projectId: z.string().trim().min(1).max(200).optional().openapi({ description: 'gemini: the Google Cloud project for Code Assist (default: the one Code Assist names for the account)' }),
    baseUrl: BaseUrl.optional(),
  })
  .openapi('FinishOAuth')

/** The edge's body as the use cases' input (dates parsed). */
export function accountInputOf(body: CreateAccountBody): AccountInput {
  if (body.authType === 'api_key') return body
  const { expiresAt, ...rest } = body
  return { ...rest, expiresAt: expiresAt === undefined ? null : new Date(expiresAt) }
}
