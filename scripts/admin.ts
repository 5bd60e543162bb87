// npm run admin -- <command> [arguments]     (npm run admin -- help for the list)
//
// The operator's command line: create an administrator, reset a password, disable a user, list
// models, rotate the master key, export a user's conversations, back up the SQLite database.
// It builds the same container as the server and calls the same use cases as the HTTP API.
import 'reflect-metadata'
import { runAdmin } from '../src/cli/admin.ts'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

runAdmin(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: readStdin,
}).then(
  (code) => {
    process.exitCode = code
    // Let stdout drain (a large export piped to a file), then leave even if a handle lingers.
    setTimeout(() => process.exit(code), 100).unref()
  },
  (err: unknown) => {
    process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
