import { z } from '@hono/zod-openapi'

export const PublicUserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(['ADMIN', 'USER']),
    disabled: z.boolean(),
    mustChangePassword: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User')

export const SessionSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
    refreshToken: z.string().optional().openapi({ description: 'Absent when the request sent x-refresh-cookie: 1 (then it is in the cookie)' }),
    refreshExpiresAt: z.string(),
    user: PublicUserSchema,
  })
  .openapi('Session')

// Length caps here only stop abuse; the password policy itself is enforced by the use cases.
export const CredentialsSchema = z
  .strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  })
  .openapi('Credentials')

export const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(512) }).openapi('RefreshRequest')
export const LogoutSchema = z.strictObject({ refreshToken: z.string().min(1).max(512).optional() }).openapi('LogoutRequest')

export const ChangePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(1).max(1024),
  })
  .openapi('ChangePasswordRequest')
