import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Forbidden } from '../../shared/errors.ts'
import { publicKey, type PublicPlatformKey } from './platform-key.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

export interface KeyPage {
  items: PublicPlatformKey[]
  page: number
  pageSize: number
  total: number
}

export interface ListPlatformKeysInput {
  actor: Actor
  /** 'mine': the caller's keys. 'all' (admins): everyone's, or one owner's. */
  scope: 'mine' | 'all'
  ownerId?: string
  page: number
  pageSize: number
}

/** Keys newest first, revoked and expired ones included (with their status); never a secret or hash. */
@injectable()
export class ListPlatformKeys {
  constructor(
    @inject(PlatformKeyRepository) private readonly keys: PlatformKeyRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, scope, ownerId, page, pageSize }: ListPlatformKeysInput): Promise<KeyPage> {
    if (scope === 'all' && !isAdmin(actor)) throw new Forbidden('Administrator role required')
    const owner = scope === 'mine' ? actor.userId : ownerId
    const result = await this.keys.list({ ownerId: owner, offset: (page - 1) * pageSize, limit: pageSize })
    const now = this.clock.now()
    return { items: result.items.map((k) => publicKey(k, now)), page, pageSize, total: result.total }
  }
}
