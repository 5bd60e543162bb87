import { Conflict, NotFound } from '../../shared/errors.ts'
import { MAX_POOL_SIZE } from './credential-pool.ts'

/** A pooled credential that does not belong to the model (or does not exist). */
export class CredentialNotFound extends NotFound {
  constructor() {
    super('Credential')
  }
}

export class PoolFull extends Conflict {
  constructor() {
    super(`A model holds at most ${MAX_POOL_SIZE} pooled credentials`)
  }
}
