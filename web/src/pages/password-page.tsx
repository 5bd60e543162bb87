import type { PageProps } from '../routes.tsx'
import { ChangePassword } from './change-password.tsx'

export function PasswordPage({ onUserChanged }: PageProps) {
  return <ChangePassword onChanged={onUserChanged} />
}
