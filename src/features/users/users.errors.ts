import { AppError, Conflict, ValidationFailed } from '../../shared/errors.ts'

export class UsernameTaken extends Conflict {
  constructor(username: string) {
    super(`The username "${username}" is already taken`)
  }
}

export class LastAdminError extends AppError {
  constructor() {
    super('CONFLICT', 'This would leave no enabled administrator; promote another admin first')
  }
}

export class WeakPassword extends ValidationFailed {
  constructor(problem: string, field = 'password') {
    super(`The password ${problem}`, [{ location: 'json', path: field, message: problem }])
  }
}
