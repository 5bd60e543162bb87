import { token } from '../../../shared/di.ts'
import type { OutboundRoute } from '../../../shared/outbound/outbound-transport.port.ts'

/**
 * Gemini accounts signed in with Google call Code Assist, which needs the user's Google Cloud
 * project in every request. Code Assist tells a signed-in user theirs (loadCodeAssist).
 */
export interface CodeAssistProjects {
  /** The project of the token's user, or null when Code Assist names none (or cannot be asked). */
  discover(accessToken: string, baseUrl: string, route: OutboundRoute): Promise<string | null>
}
export const CodeAssistProjects = token<CodeAssistProjects>('CodeAssistProjects')
