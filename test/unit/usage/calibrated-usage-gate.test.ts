import { describe, expect, it } from 'vitest'
import { CalibratedUsageGate } from '../../../src/features/usage/calibrated-usage-gate.ts'
import type { Admission, UsageGate, UsageRequest } from '../../../src/features/usage/usage-gate.port.ts'

/** Records what the real gate is asked to reserve. */
class RecordingGate implements UsageGate {
  readonly asked: number[] = []
  readonly settled: number[] = []
  async admit(request: UsageRequest): Promise<Admission> {
    this.asked.push(request.estimatedInputTokens)
    return { settle: async (actual) => void this.settled.push(actual.inputTokens) }
  }
}

const request = (over: Partial<UsageRequest> = {}): UsageRequest => ({
  actor: { userId: 'u1', username: 'u', role: 'USER' }, modelConfigId: 'm1', source: 'relay', estimatedInputTokens: 10, maxOutputTokens: 5, ...over,
})

describe('CalibratedUsageGate', () => {
  it('reserves the bare estimate until the model has settled once, then the estimate times what the provider billed', async () => {
    const inner = new RecordingGate()
    const gate = new CalibratedUsageGate(inner)
    const first = await gate.admit(request())
    await first.settle({ inputTokens: 80, outputTokens: 5 })
    await (await gate.admit(request({ estimatedInputTokens: 12 }))).settle({ inputTokens: 30, outputTokens: 1 })
    await gate.admit(request({ estimatedInputTokens: 12 }))
    await gate.admit(request({ modelConfigId: 'other' }))
    expect(inner.asked).toEqual([10, 96, 96, 10])
    expect(inner.settled).toEqual([80, 30])
  })

  it('never scales down, and caps the factor', async () => {
    const inner = new RecordingGate()
    const gate = new CalibratedUsageGate(inner)
    await (await gate.admit(request())).settle({ inputTokens: 2, outputTokens: 0 })
    await gate.admit(request())
    await (await gate.admit(request())).settle({ inputTokens: 10_000, outputTokens: 0 })
    await gate.admit(request())
    expect(inner.asked).toEqual([10, 10, 10, 160])
  })
})
