import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The directory holding this project's package.json, found by walking up from this module. The
 * same code runs from src/ (tsx) and bundled into dist/ (npm start), where relative paths differ.
 */
export function findProjectRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prisma'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`No project root (package.json beside prisma/) above ${from}`)
  }
}

export const PROJECT_ROOT = findProjectRoot()
