import { NotFound, Unauthenticated } from '../../shared/errors.ts'

export class PlatformKeyNotFound extends NotFound {
  constructor() {
    super('API key')
  }
}

/** Every refused key is a plain 401; the message says why only to someone holding the secret. */
export class InvalidPlatformKey extends Unauthenticated {
  constructor(reason = 'Invalid API key') {
    super(reason)
  }
}
