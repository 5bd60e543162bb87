import { NotFound, ValidationFailed } from '../../shared/errors.ts'

/** Unknown, disabled, not visible to the key's owner, or outside the key's allowed models: all read the same. */
export class RelayModelNotFound extends NotFound {
  constructor(model: string) {
    super('Model')
    this.message = `The model \`${model}\` does not exist or you do not have access to it.`
  }
}

/** A request feature that cannot be translated between dialects (tools, images...): a clear 400. */
export class UnsupportedForModel extends ValidationFailed {
  constructor(what: string, providerKind: string, param: string | null) {
    super(`${what} is not supported through this endpoint for ${providerKind} models (only text is translated between dialects)`, { param })
  }
}
