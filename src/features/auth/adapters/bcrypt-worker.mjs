// One thread of BcryptWorkerPool (bcrypt-worker-pool.ts): runs bcryptjs off the main thread, one
// job at a time. Plain JavaScript, so it runs the same under tsx and beside the bundle in dist/.
import { parentPort } from 'node:worker_threads'
import bcrypt from 'bcryptjs'

/** Per cost, a hash to compare unknown usernames against (answers must not reveal whether a user exists). */
const dummyHashes = new Map()
const dummyHash = (cost) => {
  if (!dummyHashes.has(cost)) dummyHashes.set(cost, bcrypt.hashSync('dummy-password-for-timing', cost))
  return dummyHashes.get(cost)
}

function run(job) {
  switch (job.op) {
    case 'hash':
      return bcrypt.hashSync(job.password, job.cost)
    case 'verify':
      return bcrypt.compareSync(job.password, job.hash)
    case 'verify-dummy':
      bcrypt.compareSync(job.password, dummyHash(job.cost))
      return false
    default:
      throw new Error(`unknown bcrypt job ${job.op}`)
  }
}

parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ ok: true, result: run(job) })
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) })
  }
})
