import { NotFound, ValidationFailed } from '../../shared/errors.ts'

/** Missing, or not visible to the caller: the two read the same (no existence leak). */
export class ModelNotFound extends NotFound {
  constructor() {
    super('Model')
  }
}

export interface FieldProblem {
  path: string
  message: string
}

/** A 400 in the same shape as the HTTP edge's schema errors, for rules only a use case can check. */
export class InvalidModelConfig extends ValidationFailed {
  constructor(problems: FieldProblem[]) {
    super(
      problems.length === 1 ? `${problems[0]!.path} ${problems[0]!.message}` : 'The model configuration is invalid',
      problems.map((p) => ({ location: 'json', ...p })),
    )
  }
}

/** RotateApiKey with verify: the provider refused the new key. Its own message is kept (it never holds the key). */
export class ApiKeyRejected extends ValidationFailed {
  constructor(providerCode: string, providerMessage: string) {
    super(`The provider rejected the new API key: ${providerMessage}`, [
      { location: 'json', path: 'apiKey', message: providerMessage, providerCode },
    ])
  }
}
