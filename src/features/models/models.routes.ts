import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { CreateModelConfig } from './create-model-config.use-case.ts'
import { DeleteModelConfig } from './delete-model-config.use-case.ts'
import { ListModels } from './list-models.use-case.ts'
import { ListProviders } from './list-providers.use-case.ts'
import {
  CreatePersonalModelBody,
  CreateSystemModelBody,
  ModelListSchema,
  ModelViewSchema,
  ProvidersSchema,
  UpdatePersonalModelBody,
  UpdateSystemModelBody,
} from './models.schemas.ts'
import { UpdateModelConfig } from './update-model-config.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const ModelId = z.object({ id: z.string().min(1).max(64) })
const json = <T>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } })

const list = createRoute({
  method: 'get', path: '/api/models', tags: ['models'], security: bearer,
  summary: 'The models I may use: my own and the system models visible to me',
  middleware: [signedIn] as const,
  responses: { 200: jsonContent(ModelListSchema, 'Models'), ...errorResponses(401) },
})
const create = createRoute({
  method: 'post', path: '/api/models', tags: ['models'], security: bearer,
  summary: 'Create a personal model (the key is write-only)',
  middleware: [signedIn] as const,
  request: json(CreatePersonalModelBody),
  responses: { 201: jsonContent(ModelViewSchema, 'Created'), ...errorResponses(400, 401) },
})
const update = createRoute({
  method: 'patch', path: '/api/models/{id}', tags: ['models'], security: bearer,
  summary: 'Change a personal model (the key changes through POST /api/models/{id}/api-key)',
  middleware: [signedIn] as const,
  request: { params: ModelId, ...json(UpdatePersonalModelBody) },
  responses: { 200: jsonContent(ModelViewSchema, 'Updated'), ...errorResponses(400, 401, 404) },
})
const remove = createRoute({
  method: 'delete', path: '/api/models/{id}', tags: ['models'], security: bearer,
  summary: 'Delete a personal model and its key',
  middleware: [signedIn] as const,
  request: { params: ModelId },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
})
const createSystem = createRoute({
  method: 'post', path: '/api/models/system', tags: ['models'], security: bearer,
  summary: 'Admin: create a system model with a visibility',
  middleware: [adminOnly] as const,
  request: json(CreateSystemModelBody),
  responses: { 201: jsonContent(ModelViewSchema, 'Created'), ...errorResponses(400, 401, 403) },
})
const updateSystem = createRoute({
  method: 'patch', path: '/api/models/system/{id}', tags: ['models'], security: bearer,
  summary: 'Admin: change a system model',
  middleware: [adminOnly] as const,
  request: { params: ModelId, ...json(UpdateSystemModelBody) },
  responses: { 200: jsonContent(ModelViewSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
})
const removeSystem = createRoute({
  method: 'delete', path: '/api/models/system/{id}', tags: ['models'], security: bearer,
  summary: 'Admin: delete a system model and its keys',
  middleware: [adminOnly] as const,
  request: { params: ModelId },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
})
const providers = createRoute({
  method: 'get', path: '/api/providers', tags: ['models'], security: bearer,
  summary: 'Supported provider kinds, default base URLs and known models',
  middleware: [signedIn] as const,
  responses: { 200: jsonContent(ProvidersSchema, 'Providers'), ...errorResponses(401) },
})

/** Model CRUD and /api/providers; the key endpoints are in model-keys.routes.ts (mounted beside it). */
export function modelsRoutes(container: DependencyContainer) {
  const listModels = container.resolve(ListModels)
  const createModel = container.resolve(CreateModelConfig)
  const updateModel = container.resolve(UpdateModelConfig)
  const deleteModel = container.resolve(DeleteModelConfig)
  const listProviders = container.resolve(ListProviders)

  return createRouter()
    .openapi(list, async (c) => c.json(await listModels.execute({ actor: requireActor(c) }), 200))
    .openapi(create, async (c) => {
      const { apiKey, ...fields } = c.req.valid('json')
      return c.json(await createModel.execute({ actor: requireActor(c), scope: 'personal', fields, apiKey }), 201)
    })
    .openapi(update, async (c) => {
      const input = { actor: requireActor(c), scope: 'personal' as const, configId: c.req.valid('param').id, changes: c.req.valid('json') }
      return c.json(await updateModel.execute(input), 200)
    })
    .openapi(remove, async (c) => {
      await deleteModel.execute({ actor: requireActor(c), scope: 'personal', configId: c.req.valid('param').id })
      return c.body(null, 204)
    })
    .openapi(createSystem, async (c) => {
      const { apiKey, accountIds, ...fields } = c.req.valid('json')
      return c.json(await createModel.execute({ actor: requireAdmin(c), scope: 'system', fields, apiKey, accountIds }), 201)
    })
    .openapi(updateSystem, async (c) => {
      const input = { actor: requireAdmin(c), scope: 'system' as const, configId: c.req.valid('param').id, changes: c.req.valid('json') }
      return c.json(await updateModel.execute(input), 200)
    })
    .openapi(removeSystem, async (c) => {
      await deleteModel.execute({ actor: requireAdmin(c), scope: 'system', configId: c.req.valid('param').id })
      return c.body(null, 204)
    })
    .openapi(providers, (c) => c.json(listProviders.execute(), 200))
}
