/** Bad arguments: the usage text is printed and the exit code is 2. */
export class UsageError extends Error {}

/** The command ran but did not succeed: its report is printed, then the one-line reason (exit 1). */
export class CommandFailed extends Error {
  constructor(
    reason: string,
    readonly output: string[] = [],
  ) {
    super(reason)
  }
}
