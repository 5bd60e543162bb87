import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../config.ts'
import { AppError } from '../shared/errors.ts'
import { databaseUnavailableReason } from '../shared/infra/database/connection-errors.ts'
import type { CliContext } from './cli-context.ts'
import { CommandFailed, UsageError } from './cli-errors.ts'

// Commands load what they need on demand: bad arguments and `help` answer without loading the
// container (every adapter, both Prisma clients), and so does backup-sqlite.
const users = () => import('./user-commands.ts')
const models = () => import('./model-commands.ts')

export const USAGE = `Usage: npm run admin -- <command> [arguments]

Commands:
  create-admin <username> [--password-stdin]      create an administrator; prints a one-time password
                                                  unless the password is read from stdin
  reset-password <username> [--password-stdin]    set a new password (a printed one-time password, or stdin)
                                                  and end the user's sessions
  disable-user <username>                         disable a user and revoke their sessions
  list-models                                     list the system models
  rotate-master-key [--batch-size N] [--dry-run]  re-encrypt stored provider keys under MASTER_KEY
  export-conversations <username> [--out <file>]  a user's sessions with all messages, as JSON
  backup-sqlite <dest> [--force]                  online backup of the SQLite database to <dest>
  help                                            this text

Configuration comes from the same environment variables as the server (DATA_DIR, DATABASE_URL,
MASTER_KEY, PREVIOUS_MASTER_KEYS, REDIS_URL, ...). Migrations are applied first, as at server start.
Exit codes: 0 done, 1 failed (one-line reason on stderr), 2 bad arguments, 78 bad configuration.`

type Options = Record<string, { type: 'string' | 'boolean' }>
interface Command {
  positionals: string[]
  options?: Options
  /** Argument checks beyond parseArgs, before anything is opened. */
  validate?: (args: Omit<Parsed, 'stdin'>) => void
  /** Commands that need no container (no database connection through Prisma). */
  bare?: (config: Config, args: Parsed) => Promise<string[]>
  run?: (ctx: CliContext, args: Parsed) => Promise<string[]>
}
interface Parsed {
  positionals: string[]
  values: Record<string, string | boolean | undefined>
  stdin: () => Promise<string>
}

const passwordFrom = async (args: Parsed) => (args.values['password-stdin'] ? readPassword(await args.stdin()) : undefined)

const COMMANDS: Record<string, Command> = {
  'create-admin': {
    positionals: ['username'],
    options: { 'password-stdin': { type: 'boolean' } },
    run: async (ctx, args) => (await users()).createAdmin(ctx, args.positionals[0]!, await passwordFrom(args)),
  },
  'reset-password': {
    positionals: ['username'],
    options: { 'password-stdin': { type: 'boolean' } },
    run: async (ctx, args) => (await users()).resetPassword(ctx, args.positionals[0]!, await passwordFrom(args)),
  },
  'disable-user': { positionals: ['username'], run: async (ctx, args) => (await users()).disableUser(ctx, args.positionals[0]!) },
  'list-models': { positionals: [], run: async (ctx) => (await models()).listModels(ctx) },
  'rotate-master-key': {
    positionals: [],
    options: { 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    validate: (args) => void batchSize(args.values['batch-size']),
    run: async (ctx, args) => (await models()).rotateMasterKey(ctx, { batchSize: batchSize(args.values['batch-size']), dryRun: args.values['dry-run'] === true }),
  },
  'export-conversations': {
    positionals: ['username'],
    options: { out: { type: 'string' } },
    run: async (ctx, args) => {
      const { exportConversations } = await import('./export-conversations.ts')
      const json = `${JSON.stringify(await exportConversations(ctx, args.positionals[0]!), null, 2)}\n`
      const out = args.values.out
      if (typeof out !== 'string') return [json.trimEnd()]
      writeFileSync(out, json, { mode: 0o600 })
      return [`Wrote ${JSON.parse(json).sessions.length} session(s) to ${out}.`]
    },
  },
  'backup-sqlite': {
    positionals: ['dest'],
    options: { force: { type: 'boolean' } },
    bare: async (config, args) => (await import('./backup-sqlite.ts')).backupSqlite(config, args.positionals[0]!, { force: args.values.force === true }),
  },
}

function batchSize(raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new UsageError('--batch-size must be an integer from 1 to 5000')
  return n
}

function readPassword(raw: string): string {
  const password = raw.replace(/\r?\n$/, '')
  if (!password) throw new UsageError('--password-stdin: nothing was read from stdin')
  return password
}

function parse(argv: string[]): { name: string; command: Command; args: Omit<Parsed, 'stdin'> } {
  const [name, ...rest] = argv
  if (!name) throw new UsageError('a command is required')
  const command = COMMANDS[name]
  if (!command) throw new UsageError(`unknown command "${name}"`)
  let parsed
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
  }
  const expected = command.positionals
  if (parsed.positionals.length !== expected.length) {
    const wanted = expected.length ? expected.map((p) => `<${p}>`).join(' ') : 'no arguments'
    throw new UsageError(`${name} takes ${wanted}, got ${parsed.positionals.length ? `"${parsed.positionals.join(' ')}"` : 'none'}`)
  }
  const args = { positionals: parsed.positionals, values: parsed.values as Parsed['values'] }
  command.validate?.(args)
  return { name, command, args }
}

export interface AdminIo {
  out(line: string): void
  err(line: string): void
  stdin(): Promise<string>
}

/** Runs one command; returns the exit code. */
export async function runAdmin(argv: string[], io: AdminIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out(USAGE)
    return 0
  }
  let name = 'admin'
  try {
    const parsed = parse(argv)
    name = parsed.name
    const args: Parsed = { ...parsed.args, stdin: io.stdin }
    const config = loadConfig(env)
    if (parsed.command.bare) {
      ;(await parsed.command.bare(config, args)).forEach((line) => io.out(line))
      return 0
    }
    const { openCliContext } = await import('./cli-context.ts')
    const ctx = await openCliContext(config)
    try {
      ;(await parsed.command.run!(ctx, args)).forEach((line) => io.out(line))
      return 0
    } finally {
      await ctx.close()
    }
  } catch (err) {
    return report(err, name, io)
  }
}

function report(err: unknown, command: string, io: AdminIo): number {
  if (err instanceof UsageError) {
    io.err(`admin: ${err.message}\n\n${USAGE}`)
    return 2
  }
  if (err instanceof ConfigError) {
    io.err(err.message)
    return 78
  }
  if (err instanceof CommandFailed) err.output.forEach((line) => io.out(line))
  const unavailable = databaseUnavailableReason(err)
  if (unavailable) {
    io.err(`admin: ${command} failed: the database is ${unavailable === 'timed out' ? 'busy or not answering (timed out)' : unavailable}; try again`)
    return 1
  }
  const message = err instanceof AppError || err instanceof CommandFailed ? err.message : `${command} failed: ${err instanceof Error ? err.message : String(err)}`
  io.err(`admin: ${oneLine(message)}`)
  return 1
}

/** Prisma and driver messages span lines (and quote source code): keep the last meaningful line. */
function oneLine(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean)
  return (lines.length > 1 ? lines.at(-1)! : (lines[0] ?? 'failed')).slice(0, 500)
}
