import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { Forbidden } from '../../shared/errors.ts'
import { accountProxyAad, accountSecretAad } from '../accounts/upstream-account.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { modelConfigAad, providerCredentialAad } from './model-config.ts'
import { SealedSecretStore, type Reseal, type SecretKind, type SecretRef, type StoredSecret } from './sealed-secret.store.port.ts'

export interface RotationProgress {
  /** Secrets that were not under the current key when the run started. */
  total: number
  reencrypted: number
  /** Changed by someone else meanwhile (a RotateApiKey): left as they are. */
  skipped: number
  failed: number
}

export interface RotateMasterKeyInput {
  /** null: the operator's command line. */
  actor: Actor | null
  batchSize?: number
  /** Count only; change nothing. */
  dryRun?: boolean
  onProgress?: (progress: RotationProgress) => void
}

export interface RotateMasterKeyResult extends RotationProgress {
  currentKeyId: string
  dryRun: boolean
  /** Secrets that could not be opened (their key is missing or they are damaged); at most 100 listed. */
  failures: Array<SecretRef & { reason: string }>
  /** After the run: how many secrets each key other than the current one still seals. */
  remainingByKeyId: Record<string, number>
  /** Key ids other than the current one that some ciphertext still references. */
  oldKeysStillReferenced: string[]
  /** Previous keys of the keyring that no ciphertext references: safe to remove from PREVIOUS_MASTER_KEYS. */
  canRemove: string[]
  /** Referenced key ids that are not in the keyring at all: those secrets cannot be read. */
  unknownKeyIds: string[]
}

export const DEFAULT_BATCH_SIZE = 200
const MAX_LISTED_FAILURES = 100

/** The associated data each kind of secret was sealed with: a value only opens for its own record. */
const AAD_OF: Record<SecretKind, (id: string) => string> = {
  'model-config': modelConfigAad,
  'provider-credential': providerCredentialAad,
  'upstream-account': accountSecretAad,
  'upstream-account-proxy': accountProxyAad,
}
const aadOf = (ref: SecretRef) => AAD_OF[ref.kind](ref.id)

/**
 * Re-encrypts every stored secret under the current master key, in batches. Old ciphertexts stay
 * readable throughout (the previous keys are still in the keyring), so the service keeps serving.
 * Idempotent and resumable: it only ever looks at secrets not under the current key, and each write
 * is a compare-and-set, so a concurrent RotateApiKey is never overwritten.
 */
@injectable()
export class RotateMasterKey {
  constructor(
    @inject(SealedSecretStore) private readonly store: SealedSecretStore,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, batchSize = DEFAULT_BATCH_SIZE, dryRun = false, onProgress }: RotateMasterKeyInput): Promise<RotateMasterKeyResult> {
    if (actor && !isAdmin(actor)) throw new Forbidden('Administrator role required')
    const current = this.box.currentKeyId
    const before = await this.store.countByKeyId()
    const progress: RotationProgress = { total: sumExcept(before, current), reencrypted: 0, skipped: 0, failed: 0 }
    const failures: RotateMasterKeyResult['failures'] = []
    onProgress?.({ ...progress })

    let after: SecretRef | undefined
    while (!dryRun) {
      const batch = await this.store.list({ excludeKeyId: current, after, limit: Math.max(1, batchSize) })
      if (batch.length === 0) break
      after = batch.at(-1)
      const reseals = batch.flatMap((secret) => this.reseal(secret, failures, progress))
      const written = reseals.length ? await this.store.resealMany(reseals) : []
      const replaced = written.filter(Boolean).length
      progress.reencrypted += replaced
      progress.skipped += written.length - replaced
      onProgress?.({ ...progress })
    }

    const result = this.report(current, await this.store.countByKeyId(), progress, failures, dryRun)
    if (!dryRun) {
      await this.audit.record({
        actorId: actor?.userId ?? null,
        action: 'keys.master_key_rotated',
        targetType: 'keyring',
        targetId: current,
        metadata: { reencrypted: progress.reencrypted, skipped: progress.skipped, failed: progress.failed, remainingByKeyId: result.remainingByKeyId },
      })
    }
    return result
  }

  private reseal(secret: StoredSecret, failures: RotateMasterKeyResult['failures'], progress: RotationProgress): Reseal[] {
    const ref: SecretRef = { kind: secret.kind, id: secret.id }
    try {
      const plaintext = this.box.open(secret.ciphertext, aadOf(ref))
      return [{ ref, expected: secret.ciphertext, next: this.box.seal(plaintext, aadOf(ref)) }]
    } catch (error) {
      progress.failed++
      if (failures.length < MAX_LISTED_FAILURES) failures.push({ ...ref, reason: error instanceof Error ? error.message : String(error) })
      return []
    }
  }

  private report(current: string, counts: Record<string, number>, progress: RotationProgress, failures: RotateMasterKeyResult['failures'], dryRun: boolean): RotateMasterKeyResult {
    const remainingByKeyId = Object.fromEntries(Object.entries(counts).filter(([id, n]) => id !== current && n > 0))
    const referenced = Object.keys(remainingByKeyId).sort()
    return {
      currentKeyId: current,
      dryRun,
      ...progress,
      failures,
      remainingByKeyId,
      oldKeysStillReferenced: referenced,
      canRemove: this.box.keyIds.filter((id) => id !== current && !remainingByKeyId[id]),
      unknownKeyIds: referenced.filter((id) => !this.box.keyIds.includes(id)),
    }
  }
}

const sumExcept = (counts: Record<string, number>, keyId: string) =>
  Object.entries(counts).reduce((sum, [id, n]) => (id === keyId ? sum : sum + n), 0)
