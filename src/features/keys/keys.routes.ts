import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { CreatePlatformKey } from './create-platform-key.use-case.ts'
import { AdminKeyQuery, CreateKeyBody, IssuedKeySchema, KeyPageQuery, KeyPageSchema, RotateKeyBody } from './keys.schemas.ts'
import { ListPlatformKeys } from './list-platform-keys.use-case.ts'
import { RevokePlatformKey } from './revoke-platform-key.use-case.ts'
import { RotatePlatformKey } from './rotate-platform-key.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const KeyId = z.object({ id: z.string().min(1).max(64) })
const json = <T>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } })

const create = createRoute({
  method: 'post', path: '/api/keys', tags: ['keys'], security: bearer,
  summary: 'Create a platform API key; the secret is in this response only',
  middleware: [signedIn] as const,
  request: json(CreateKeyBody),
  responses: { 201: jsonContent(IssuedKeySchema, 'The key and its secret'), ...errorResponses(400, 401) },
})
const listMine = createRoute({
  method: 'get', path: '/api/keys', tags: ['keys'], security: bearer,
  summary: 'My platform API keys, newest first (never the secrets)',
  middleware: [signedIn] as const,
  request: { query: KeyPageQuery },
  responses: { 200: jsonContent(KeyPageSchema, 'A page of keys'), ...errorResponses(400, 401) },
})
const revoke = createRoute({
  method: 'delete', path: '/api/keys/{id}', tags: ['keys'], security: bearer,
  summary: 'Revoke a key (its owner, or an admin): it stops working at once',
  middleware: [signedIn] as const,
  request: { params: KeyId },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) },
})
const rotate = createRoute({
  method: 'post', path: '/api/keys/{id}/rotate', tags: ['keys'], security: bearer,
  summary: 'A new secret for my key; the old one keeps working for graceSeconds',
  middleware: [signedIn] as const,
  request: { params: KeyId, ...json(RotateKeyBody, false) },
  responses: { 200: jsonContent(IssuedKeySchema, 'The key and its new secret'), ...errorResponses(400, 401, 404, 409) },
})
const listAll = createRoute({
  method: 'get', path: '/api/admin/keys', tags: ['admin'], security: bearer,
  summary: "Admin: everyone's platform API keys, or one owner's",
  middleware: [adminOnly] as const,
  request: { query: AdminKeyQuery },
  responses: { 200: jsonContent(KeyPageSchema, 'A page of keys'), ...errorResponses(400, 401, 403) },
})

/** POST/GET /api/keys, DELETE /api/keys/{id}, POST /api/keys/{id}/rotate, GET /api/admin/keys. */
export function keysRoutes(container: DependencyContainer) {
  const createKey = container.resolve(CreatePlatformKey)
  const listKeys = container.resolve(ListPlatformKeys)
  const revokeKey = container.resolve(RevokePlatformKey)
  const rotateKey = container.resolve(RotatePlatformKey)

  return createRouter()
    .openapi(create, async (c) => {
      const { expiresAt, ...body } = c.req.valid('json')
      const issued = await createKey.execute({ actor: requireActor(c), ...body, ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}) })
      c.header('cache-control', 'no-store')
      return c.json(issued, 201)
    })
    .openapi(listMine, async (c) => c.json(await listKeys.execute({ actor: requireActor(c), scope: 'mine', ...c.req.valid('query') }), 200))
    .openapi(revoke, async (c) => {
      await revokeKey.execute({ actor: requireActor(c), keyId: c.req.valid('param').id })
      return c.body(null, 204)
    })
    .openapi(rotate, async (c) => {
      const body = c.req.valid('json') ?? {}
      const issued = await rotateKey.execute({ actor: requireActor(c), keyId: c.req.valid('param').id, ...body })
      c.header('cache-control', 'no-store')
      return c.json(issued, 200)
    })
    .openapi(listAll, async (c) => c.json(await listKeys.execute({ actor: requireAdmin(c), scope: 'all', ...c.req.valid('query') }), 200))
}
