import { Conflict, ValidationFailed } from '../../shared/errors.ts'

export class NoModelSelected extends ValidationFailed {
  constructor() {
    super('This chat has no model yet: set one with PATCH /api/sessions/{id} { "modelId": ... }', [
      { location: 'json', path: 'sessionId', message: 'session has no model' },
    ])
  }
}

export class MessageTooLong extends ValidationFailed {
  constructor(limit: number) {
    super(`The message is longer than ${limit} characters`, [{ location: 'json', path: 'content', message: `at most ${limit} characters` }])
  }
}

export class ReplyInProgress extends Conflict {
  constructor() {
    super('A reply is still streaming in this chat; stop it or wait for it to finish')
  }
}

export class NotTheLastUserMessage extends Conflict {
  constructor(action: string) {
    super(`Only the last user message of a chat can be ${action}`)
  }
}
