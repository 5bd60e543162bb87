import { OpenAPIHono } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import { ValidationFailed } from '../errors.ts'
import type { AppEnv, AppRouter } from './app-env.ts'

export interface FieldProblem {
  location: string
  path: string
  message: string
}

export function fieldProblems(error: ZodError, location: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
}

/** Every feature router is made here so that invalid input always becomes one VALIDATION_FAILED shape. */
export function createRouter(): AppRouter {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationFailed('The request is invalid', fieldProblems(result.error, result.target))
      }
    },
  })
}
