import { inject, injectable } from 'tsyringe'
import { token } from '../../shared/di.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { RefreshExpiringAccounts, type RefreshExpiringOutput } from './refresh-expiring-accounts.use-case.ts'

export interface OAuthSweepOptions {
  /** Seconds between the end of one sweep and the start of the next; 0: no sweeping. */
  intervalSeconds: number
  /** How far ahead of expiry tokens are refreshed. */
  windowSeconds: number
  /** Delay of the first sweep after start() (default 1000 ms). */
  firstRunDelayMs?: number
}
export const OAuthSweepOptions = token<OAuthSweepOptions>('OAuthSweepOptions')

/**
 * Runs RefreshExpiringAccounts on a timer on every replica (the refresh lock keeps refreshes single).
 * Sweeps never overlap: the next one is scheduled when the last has finished. Timers are unref'd, so
 * the sweeper never keeps a process alive; stop() (or the container's dispose()) waits for a running sweep.
 */
@injectable()
export class OAuthRefreshSweeper {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | undefined
  private started = false

  constructor(
    @inject(RefreshExpiringAccounts) private readonly refreshExpiring: RefreshExpiringAccounts,
    @inject(OAuthSweepOptions) private readonly options: OAuthSweepOptions,
    @inject(Log) private readonly log: Logger,
  ) {}

  start(): void {
    if (this.started || this.options.intervalSeconds <= 0) return
    this.started = true
    this.schedule(this.options.firstRunDelayMs ?? 1_000)
  }

  async stop(): Promise<void> {
    this.started = false
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  dispose(): Promise<void> {
    return this.stop()
  }

  /** One sweep; never throws (failures are logged). */
  async sweepOnce(): Promise<RefreshExpiringOutput | undefined> {
    try {
      const result = await this.refreshExpiring.execute({ windowSeconds: this.options.windowSeconds })
      for (const { accountId, error } of result.failed) this.log.warn({ err: error, accountId }, 'OAuth refresh sweep: could not refresh an account')
      this.log.debug({ due: result.due, renewed: result.renewed, needsReauth: result.needsReauth, failed: result.failed.length }, 'OAuth refresh sweep')
      return result
    } catch (err) {
      this.log.warn({ err }, 'OAuth refresh sweep failed')
      return undefined
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.sweepOnce().finally(() => {
        this.running = undefined
        if (this.started) this.schedule(this.options.intervalSeconds * 1000)
      })
    }, delayMs).unref()
  }
}
