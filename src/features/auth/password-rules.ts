import { normalizeUsername, passwordProblem, usernameProblem } from '../users/user.ts'
import { ValidationFailed } from '../../shared/errors.ts'
import { WeakPassword } from '../users/users.errors.ts'

/** Normalises and checks a new username/password pair; throws 400 with field details. */
export function checkNewCredentials(rawUsername: string, password: string, passwordField = 'password'): string {
  const username = normalizeUsername(rawUsername)
  const usernameIssue = usernameProblem(username)
  if (usernameIssue) {
    throw new ValidationFailed(`The username ${usernameIssue}`, [{ location: 'json', path: 'username', message: usernameIssue }])
  }
  checkNewPassword(password, username, passwordField)
  return username
}

export function checkNewPassword(password: string, username: string, field = 'password'): void {
  const problem = passwordProblem(password, username)
  if (problem) throw new WeakPassword(problem, field)
}
