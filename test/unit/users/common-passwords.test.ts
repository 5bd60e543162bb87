import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { COMMON_PASSWORDS } from '../../../src/features/users/common-passwords.ts'

describe('the bundled common-password list', () => {
  it('is what scripts/common-passwords.mjs generates', () => {
    expect(() => execFileSync(process.execPath, ['scripts/common-passwords.mjs', '--check'], { stdio: 'pipe' })).not.toThrow()
  })

  it('holds a few thousand lower-case entries, the classics among them', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(2000)
    for (const entry of COMMON_PASSWORDS) expect(entry).toBe(entry.toLowerCase())
    for (const classic of ['password', 'qwertyuiop', '1234567890', 'iloveyou', 'p@ssw0rd']) expect(COMMON_PASSWORDS.has(classic)).toBe(true)
  })
})
