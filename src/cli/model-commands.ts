import { ListModels } from '../features/models/list-models.use-case.ts'
import { RotateMasterKey } from '../features/models/rotate-master-key.use-case.ts'
import type { CliContext } from './cli-context.ts'
import { CommandFailed } from './cli-errors.ts'

/** The system models, as GET /api/models shows them to an admin (personal models stay private to their owners). */
export async function listModels(ctx: CliContext): Promise<string[]> {
  const { items } = await ctx.container.resolve(ListModels).execute({ actor: ctx.actor })
  if (items.length === 0) return ['No system models.']
  const rows = items.map((m) => [m.id, m.scope, m.enabled ? 'enabled' : 'disabled', m.providerKind, m.modelId, m.hasApiKey ? 'key' : 'no key', m.displayName])
  const header = ['ID', 'SCOPE', 'STATE', 'PROVIDER', 'MODEL', 'KEY', 'NAME']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
}

/** RotateMasterKey, the use case behind POST /api/admin/keys/rotate and `npm run keys:rotate`. */
export async function rotateMasterKey(ctx: CliContext, options: { batchSize?: number; dryRun: boolean }): Promise<string[]> {
  const r = await ctx.container.resolve(RotateMasterKey).execute({ actor: null, ...options })
  const lines = [
    `${r.dryRun ? 'Dry run (nothing changed)' : 'Rotation done'}: current key id ${r.currentKeyId}`,
    `re-encrypted ${r.reencrypted}, skipped (changed meanwhile) ${r.skipped}, failed ${r.failed}`,
  ]
  const remaining = Object.entries(r.remainingByKeyId)
  lines.push(remaining.length ? `still under other keys: ${remaining.map(([id, n]) => `${id}: ${n}`).join(', ')}` : 'every stored secret is under the current key')
  if (r.canRemove.length) lines.push(`can be removed from PREVIOUS_MASTER_KEYS: key id ${r.canRemove.join(', ')}`)
  if (r.unknownKeyIds.length) lines.push(`key ids not in the keyring (unreadable secrets): ${r.unknownKeyIds.join(', ')}`)
  if (r.failed) throw new CommandFailed(`${r.failed} secret(s) could not be re-encrypted: ${r.failures.map((f) => `${f.kind} ${f.id} (${f.reason})`).join(', ')}`, lines)
  return lines
}
