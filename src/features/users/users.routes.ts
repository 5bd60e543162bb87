import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { PublicUserSchema } from '../auth/auth.schemas.ts'
import { CreateUser } from './create-user.use-case.ts'
import { DeleteUser } from './delete-user.use-case.ts'
import { GetUser } from './get-user.use-case.ts'
import { ListUsers } from './list-users.use-case.ts'
import { ResetUserPassword } from './reset-user-password.use-case.ts'
import { UpdateUser } from './update-user.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const UserId = z.object({ id: z.string().min(1).max(64) })
const ListQuery = z.object({
  search: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
})
const UserPage = z
  .object({ items: z.array(PublicUserSchema), page: z.number(), pageSize: z.number(), total: z.number() })
  .openapi('UserPage')
const UpdateUserBody = z
  .strictObject({ role: z.enum(['ADMIN', 'USER']).optional(), disabled: z.boolean().optional() })
  .openapi('UpdateUserRequest')
const CreateUserBody = z
  .strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024).openapi({ description: 'The initial password (the password rules apply)' }),
    role: z.enum(['ADMIN', 'USER']).optional().openapi({ description: 'Default USER' }),
    mustChangePassword: z.boolean().optional().openapi({ description: 'Default true: the user chooses their own password at first login' }),
  })
  .openapi('CreateUserRequest')
const ResetPasswordBody = z
  .strictObject({ newPassword: z.string().min(1).max(1024), mustChangePassword: z.boolean().optional() })
  .openapi('ResetPasswordRequest')

const list = createRoute({
  method: 'get',
  path: '/api/users',
  tags: ['users'],
  summary: 'Admin: list users, optionally searching by username',
  security: bearer,
  middleware: [adminOnly] as const,
  request: { query: ListQuery },
  responses: { 200: jsonContent(UserPage, 'A page of users'), ...errorResponses(400, 401, 403) },
})
const get = createRoute({
  method: 'get',
  path: '/api/users/{id}',
  tags: ['users'],
  summary: 'A user (admins: anyone; users: themselves)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: UserId },
  responses: { 200: jsonContent(PublicUserSchema, 'The user'), ...errorResponses(401, 404) },
})
const update = createRoute({
  method: 'patch',
  path: '/api/users/{id}',
  tags: ['users'],
  summary: 'Admin: change role or disable/enable',
  security: bearer,
  middleware: [adminOnly] as const,
  request: { params: UserId, body: { content: { 'application/json': { schema: UpdateUserBody } }, required: true } },
  responses: { 200: jsonContent(PublicUserSchema, 'Updated'), ...errorResponses(400, 401, 403, 404, 409) },
})
const create = createRoute({
  method: 'post',
  path: '/api/users',
  tags: ['users'],
  summary: 'Admin: create a user (whether registration is open or not)',
  security: bearer,
  middleware: [adminOnly] as const,
  request: { body: { content: { 'application/json': { schema: CreateUserBody } }, required: true } },
  responses: { 201: jsonContent(PublicUserSchema, 'Created'), ...errorResponses(400, 401, 403, 409, 503) },
})
const resetPassword = createRoute({
  method: 'post',
  path: '/api/users/{id}/password',
  tags: ['users'],
  summary: "Admin: reset a user's password (ends their sessions)",
  security: bearer,
  middleware: [adminOnly] as const,
  request: { params: UserId, body: { content: { 'application/json': { schema: ResetPasswordBody } }, required: true } },
  responses: { 200: jsonContent(PublicUserSchema, 'Password reset'), ...errorResponses(400, 401, 403, 404) },
})
const remove = createRoute({
  method: 'delete',
  path: '/api/users/{id}',
  tags: ['users'],
  summary: 'Admin: delete a user and everything they own',
  security: bearer,
  middleware: [adminOnly] as const,
  request: { params: UserId },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
})

export function usersRoutes(container: DependencyContainer) {
  const listUsers = container.resolve(ListUsers)
  const getUser = container.resolve(GetUser)
  const updateUser = container.resolve(UpdateUser)
  const resetUserPassword = container.resolve(ResetUserPassword)
  const deleteUser = container.resolve(DeleteUser)
  const createUser = container.resolve(CreateUser)

  return createRouter()
    .openapi(list, async (c) => c.json(await listUsers.execute({ actor: requireAdmin(c), ...c.req.valid('query') }), 200))
    .openapi(create, async (c) => c.json(await createUser.execute({ actor: requireAdmin(c), ...c.req.valid('json') }), 201))
    .openapi(get, async (c) => c.json(await getUser.execute({ actor: requireActor(c), userId: c.req.valid('param').id }), 200))
    .openapi(update, async (c) => {
      const actor = requireAdmin(c)
      return c.json(await updateUser.execute({ actor, userId: c.req.valid('param').id, ...c.req.valid('json') }), 200)
    })
    .openapi(resetPassword, async (c) => {
      const actor = requireAdmin(c)
      return c.json(await resetUserPassword.execute({ actor, userId: c.req.valid('param').id, ...c.req.valid('json') }), 200)
    })
    .openapi(remove, async (c) => {
      await deleteUser.execute({ actor: requireAdmin(c), userId: c.req.valid('param').id })
      return c.body(null, 204)
    })
}
