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
  constructor(what: string, providerKind: string, param: string | null, why = 'only text is translated between dialects') {
    super(`${what} is not supported through this endpoint for ${providerKind} models (${why})`, { param })
  }
}

/** A provider model id or display-name slug that several of the key's models share: which one is meant? */
export class AmbiguousModel extends ValidationFailed {
  constructor(model: string, names: readonly string[]) {
    super(`The model \`${model}\` names ${names.length} models this key may use; use one of: ${names.map((n) => `\`${n}\``).join(', ')}.`, { param: 'model' })
  }
}

/** A field of the client's request that has no equivalent for the model it goes to: a 400 naming the field, never dropped. */
export class Untranslatable extends ValidationFailed {
  constructor(param: string, reason: string) {
    super(`${param}: ${reason}`, { param })
  }
}
