// Self time of a .cpuprofile by package (or our own folder) and by function.
//
//   npx tsx bench/profile-summary.ts <file.cpuprofile> [TOP=30]
import { readFileSync } from 'node:fs'

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }

const file = process.argv[2]
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile>')
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] }
const counts = new Map<number, number>()
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)'
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (dependency) return dependency[1]!
  const own = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url)
  if (own) return own[1]!
  return url.startsWith('node:') ? url.split('/')[0]! : url.replace(/^.*\//, '')
}

const byPackage = new Map<string, number>()
const byFunction = new Map<string, number>()
for (const node of profile.nodes) {
  const n = counts.get(node.id) ?? 0
  if (!n) continue
  const { functionName, url, lineNumber } = node.callFrame
  const where = packageOf(url, functionName)
  byPackage.set(where, (byPackage.get(where) ?? 0) + n)
  const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + n)
}
const total = profile.samples.length
const top = Number(process.env.TOP ?? 30)
const print = (title: string, rows: Map<string, number>) => {
  console.log(title)
  for (const [where, n] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${where}`)
}
print('self time by package', byPackage)
print('\nself time by function', byFunction)
