import { z } from '@hono/zod-openapi'

const count = z.number().int().positive()
const limitFields = {
  requestsPerMinute: count.optional(),
  concurrentStreams: count.optional(),
  tokensPerDay: count.optional().openapi({ description: 'Input + output tokens per UTC day' }),
  tokensPerMonth: count.optional().openapi({ description: 'Input + output tokens per UTC calendar month' }),
  costBudgetMicrosPerMonth: count.optional().openapi({ description: 'Micro-USD per UTC calendar month, from the built-in price table' }),
}

/** Limits of a user or an API key; an absent field means no limit at that level. */
export const LimitsSchema = z.strictObject(limitFields).openapi('Limits')

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional()
export const UserLimitsOverrideSchema = z
  .strictObject({
    requestsPerMinute: nullable(count),
    concurrentStreams: nullable(count),
    tokensPerDay: nullable(count),
    tokensPerMonth: nullable(count),
    costBudgetMicrosPerMonth: nullable(count),
  })
  .openapi('UserLimitsOverride', {
    description: "Replaces the user's overrides. Per field: a number overrides the system defaultUserQuota, null lifts it for this user, absent keeps it.",
  })

export const UserLimitsViewSchema = z
  .object({ userId: z.string(), limits: UserLimitsOverrideSchema, effective: LimitsSchema })
  .openapi('UserLimits')

const day = /^\d{4}-\d{2}-\d{2}$/
const bound = (description: string) =>
  z
    .string()
    .refine((v) => day.test(v) || !Number.isNaN(Date.parse(v)), 'must be YYYY-MM-DD or an ISO 8601 date-time')
    .optional()
    .openapi({ description })

export const UsageQuery = z.object({
  from: bound('Inclusive; YYYY-MM-DD (UTC) or ISO 8601. Default: 30 days before "to".'),
  to: bound('Exclusive instant, or YYYY-MM-DD meaning the whole of that UTC day. Default: now.'),
})
export const AdminUsageQuery = UsageQuery.extend({
  groupBy: z.enum(['user', 'model', 'key', 'day']).default('user'),
  userId: z.string().min(1).max(64).optional(),
})

const totals = {
  requests: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedTokens: z.number(),
  costMicros: z.number().openapi({ description: 'Micro-USD (1e-6 USD), from the built-in price table; unknown models cost 0' }),
  errors: z.number(),
}
export const UsageTotalsSchema = z.object(totals).openapi('UsageTotals')
export const UsageBucketSchema = z
  .object({
    key: z.string().openapi({ description: 'A UTC day, a model id, a user id or an API key id ("" = without an API key)' }),
    label: z.string().optional(),
    ...totals,
  })
  .openapi('UsageBucket')

const instant = z.string().openapi({ format: 'date-time' })
export const UsageSummarySchema = z
  .object({
    from: instant,
    to: instant,
    totals: UsageTotalsSchema,
    byDay: z.array(UsageBucketSchema),
    byModel: z.array(UsageBucketSchema),
    limits: LimitsSchema,
  })
  .openapi('UsageSummary')
export const UsageReportSchema = z
  .object({ from: instant, to: instant, groupBy: z.enum(['user', 'model', 'key', 'day']), totals: UsageTotalsSchema, items: z.array(UsageBucketSchema) })
  .openapi('UsageReport')
