import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireAdmin } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { AddPoolCredential } from './add-pool-credential.use-case.ts'
import { AddPoolCredentialBody, PoolCredentialSchema, PoolSchema, UpdatePoolCredentialBody } from './credential-pool.schemas.ts'
import { ListPoolCredentials } from './list-pool-credentials.use-case.ts'
import { RemovePoolCredential } from './remove-pool-credential.use-case.ts'
import { UpdatePoolCredential } from './update-pool-credential.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const ModelId = z.object({ id: z.string().min(1).max(64) })
const CredentialPath = ModelId.extend({ credentialId: z.string().min(1).max(64) })
const json = <T>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } })

const list = createRoute({
  method: 'get', path: '/api/models/system/{id}/credentials', tags: ['models'], security: bearer,
  summary: "Admin: a system model's pooled provider keys, with weights and health (ready / cooling)",
  middleware: [adminOnly] as const,
  request: { params: ModelId },
  responses: { 200: jsonContent(PoolSchema, 'The pool'), ...errorResponses(401, 403, 404) },
})
const add = createRoute({
  method: 'post', path: '/api/models/system/{id}/credentials', tags: ['models'], security: bearer,
  summary: 'Admin: add a provider key to a system model\'s pool (the key is write-only)',
  middleware: [adminOnly] as const,
  request: { params: ModelId, ...json(AddPoolCredentialBody) },
  responses: { 201: jsonContent(PoolCredentialSchema, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
})
const update = createRoute({
  method: 'patch', path: '/api/models/system/{id}/credentials/{credentialId}', tags: ['models'], security: bearer,
  summary: 'Admin: change a pooled key\'s label, weight or enabled flag',
  middleware: [adminOnly] as const,
  request: { params: CredentialPath, ...json(UpdatePoolCredentialBody) },
  responses: { 200: jsonContent(PoolCredentialSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
})
const remove = createRoute({
  method: 'delete', path: '/api/models/system/{id}/credentials/{credentialId}', tags: ['models'], security: bearer,
  summary: 'Admin: remove a pooled key',
  middleware: [adminOnly] as const,
  request: { params: CredentialPath },
  responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
})

/** The credential pool of system models: GET/POST .../credentials, PATCH/DELETE .../credentials/{credentialId}. */
export function credentialPoolRoutes(container: DependencyContainer) {
  const listPool = container.resolve(ListPoolCredentials)
  const addCredential = container.resolve(AddPoolCredential)
  const updateCredential = container.resolve(UpdatePoolCredential)
  const removeCredential = container.resolve(RemovePoolCredential)

  return createRouter()
    .openapi(list, async (c) => c.json(await listPool.execute({ actor: requireAdmin(c), configId: c.req.valid('param').id }), 200))
    .openapi(add, async (c) => {
      const input = { actor: requireAdmin(c), configId: c.req.valid('param').id, ...c.req.valid('json') }
      return c.json(await addCredential.execute(input), 201)
    })
    .openapi(update, async (c) => {
      const { id, credentialId } = c.req.valid('param')
      return c.json(await updateCredential.execute({ actor: requireAdmin(c), configId: id, credentialId, changes: c.req.valid('json') }), 200)
    })
    .openapi(remove, async (c) => {
      const { id, credentialId } = c.req.valid('param')
      await removeCredential.execute({ actor: requireAdmin(c), configId: id, credentialId })
      return c.body(null, 204)
    })
}
