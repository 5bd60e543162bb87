import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { AccountTokens } from './account-tokens.ts'
import { AccountNeedsReauth } from './accounts.errors.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import { isSidelined } from './upstream-account.ts'

export interface RefreshExpiringInput {
  /** Refresh every OAuth token that expires within this many seconds. */
  windowSeconds: number
  /** Refreshes running at once (default 4). */
  concurrency?: number
}

export interface RefreshFailure {
  accountId: string
  error: unknown
}

export interface RefreshExpiringOutput {
  /** Accounts listed as expiring. */
  due: number
  /** Now hold a token valid beyond the window (refreshed here or by another replica). */
  renewed: number
  /** Sidelined (blocked) or found needing re-authorization: not retried until an admin acts. */
  needsReauth: number
  failed: RefreshFailure[]
}

/**
 * Refreshes OAuth tokens ahead of their expiry, so requests rarely wait on a token endpoint. Every
 * replica runs it; AccountTokens' refresh lock keeps each refresh single. One failure does not stop
 * the others.
 */
@injectable()
export class RefreshExpiringAccounts {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(AccountTokens) private readonly tokens: AccountTokens,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ windowSeconds, concurrency = 4 }: RefreshExpiringInput): Promise<RefreshExpiringOutput> {
    const due = await this.accounts.listExpiring(new Date(this.clock.now().getTime() + windowSeconds * 1000))
    const output: RefreshExpiringOutput = { due: due.length, renewed: 0, needsReauth: 0, failed: [] }
    const queue = due.filter((account) => {
      if (!isSidelined(account.status)) return true
      output.needsReauth++
      return false
    })
    const worker = async () => {
      for (let account = queue.shift(); account; account = queue.shift()) {
        try {
          await this.tokens.accessToken(account, { minValiditySeconds: windowSeconds })
          output.renewed++
        } catch (error) {
          if (error instanceof AccountNeedsReauth) output.needsReauth++
          else output.failed.push({ accountId: account.id, error })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker))
    return output
  }
}
