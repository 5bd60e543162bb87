import type { DependencyContainer } from 'tsyringe'

/** A typed DI token: an interface and its token share one name. */
export type Token<T> = symbol & { readonly __type?: T }
export const token = <T>(name: string): Token<T> => Symbol(name) as Token<T>

type Constructor<T> = new (...args: never[]) => T

/** Type-checked bindings on a (child) container. */
export const bindValue = <T>(c: DependencyContainer, t: Token<T>, value: T): void => {
  c.register(t, { useValue: value })
}
export const bindClass = <T>(c: DependencyContainer, t: Token<T>, cls: Constructor<T>): void => {
  // One instance per container: adapters and use cases are stateless or hold shared state on purpose.
  c.registerSingleton(t, cls as never)
}
export const bindFactory = <T>(c: DependencyContainer, t: Token<T>, make: (c: DependencyContainer) => T): void => {
  let instance: T | undefined
  c.register(t, { useFactory: (inner) => (instance ??= make(inner)) })
}
export const resolve = <T>(c: DependencyContainer, t: Token<T>): T => c.resolve<T>(t)
