import type { OutboundRoute, OutboundTransport } from '../../../../shared/outbound/outbound-transport.port.ts'
import { readBounded } from '../../../providers/adapters/upstream-call.ts'
import type { CodeAssistProjects } from '../code-assist-projects.port.ts'

const LOAD_TIMEOUTS = { connectMs: 10_000, headersMs: 15_000, idleMs: 15_000 }
// What Gemini CLI sends: the client kind, so Code Assist answers with the user's tier and project.
const CLIENT_METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' }

/** POST {baseUrl}/v1internal:loadCodeAssist through the account's route. */
export class HttpCodeAssistProjects implements CodeAssistProjects {
  constructor(private readonly transport: OutboundTransport) {}

  async discover(accessToken: string, baseUrl: string, route: OutboundRoute): Promise<string | null> {
    const response = await this.transport.request({
      method: 'POST',
      url: `${baseUrl.replace(/\/+$/, '')}/v1internal:loadCodeAssist`,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ metadata: CLIENT_METADATA }),
      route,
      timeouts: LOAD_TIMEOUTS,
    })
    const text = await readBounded(response.body)
    if (response.status !== 200) return null
    try {
      const project = (JSON.parse(text) as { cloudaicompanionProject?: unknown }).cloudaicompanionProject
      if (typeof project === 'string' && project) return project
      const id = (project as { id?: unknown } | undefined)?.id
      return typeof id === 'string' && id ? id : null
    } catch {
      return null
    }
  }
}
