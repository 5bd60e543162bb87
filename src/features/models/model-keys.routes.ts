import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { MasterKeyRotationSchema, ProbeResultSchema, RotateApiKeyBody, RotatedModelSchema, RotateMasterKeyBody } from './models.schemas.ts'
import { RotateApiKey } from './rotate-api-key.use-case.ts'
import { RotateMasterKey } from './rotate-master-key.use-case.ts'
import { TestModelConfig } from './test-model-config.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const ModelId = z.object({ id: z.string().min(1).max(64) })

const rotateApiKey = createRoute({
  method: 'post', path: '/api/models/{id}/api-key', tags: ['models'], security: bearer,
  summary: "Replace a model's provider key (owner; admins for system models), optionally verifying it first",
  middleware: [signedIn] as const,
  request: { params: ModelId, body: { content: { 'application/json': { schema: RotateApiKeyBody } }, required: true } },
  responses: { 200: jsonContent(RotatedModelSchema, 'Key replaced'), ...errorResponses(400, 401, 403, 404, 502, 503) },
})
const testModel = createRoute({
  method: 'post', path: '/api/models/{id}/test', tags: ['models'], security: bearer,
  summary: 'A minimal real call to the provider: success, latency, or the provider\'s own error',
  middleware: [signedIn] as const,
  request: { params: ModelId },
  responses: { 200: jsonContent(ProbeResultSchema, 'Result of the call'), ...errorResponses(401, 403, 404) },
})
const rotateMasterKey = createRoute({
  method: 'post', path: '/api/admin/keys/rotate', tags: ['admin'], security: bearer,
  summary: 'Admin: re-encrypt every stored secret under the current master key',
  middleware: [adminOnly] as const,
  request: { body: { content: { 'application/json': { schema: RotateMasterKeyBody } }, required: false } },
  responses: { 200: jsonContent(MasterKeyRotationSchema, 'Rotation report'), ...errorResponses(400, 401, 403) },
})

/** POST /api/models/{id}/api-key, POST /api/models/{id}/test and POST /api/admin/keys/rotate. */
export function modelKeyRoutes(container: DependencyContainer) {
  const rotateKey = container.resolve(RotateApiKey)
  const test = container.resolve(TestModelConfig)
  const rotateMaster = container.resolve(RotateMasterKey)

  return createRouter()
    .openapi(rotateApiKey, async (c) => {
      const { apiKey, verify } = c.req.valid('json')
      return c.json(await rotateKey.execute({ actor: requireActor(c), configId: c.req.valid('param').id, apiKey, verify }), 200)
    })
    .openapi(testModel, async (c) => c.json(await test.execute({ actor: requireActor(c), configId: c.req.valid('param').id }), 200))
    .openapi(rotateMasterKey, async (c) => {
      const actor = requireAdmin(c)
      const log = c.get('log')
      const options = c.req.valid('json') ?? {}
      const result = await rotateMaster.execute({
        actor,
        ...options,
        onProgress: (p) => log?.info({ progress: p }, 'master-key rotation progress'),
      })
      return c.json(result, 200)
    })
}
