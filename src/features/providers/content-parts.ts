import type { ChatTurn, ContentPart, ImageSource } from './ai-provider.port.ts'

/** Pure helpers over normalised content, shared by the dialects and the relay's translators. */

/** A turn as parts: its own, or its text as one text part. */
export const partsOf = (turn: ChatTurn): ContentPart[] => turn.parts ?? [{ type: 'text', text: turn.content }]

/** The text parts of a list joined with '\n' (ChatTurn.content of a turn given as parts). */
export const textOfParts = (parts: readonly ContentPart[]): string =>
  parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n')

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s

/** `data:image/png;base64,...` as inline bytes; undefined for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URL.exec(url)
  return m ? { mediaType: m[1]!.toLowerCase(), data: m[2]! } : undefined
}

/** An image as a URL: a data URL for inline bytes. */
export const imageUrl = (image: ImageSource): string => (image.kind === 'url' ? image.url : `data:${image.mediaType};base64,${image.data}`)

/** An image as inline bytes when it is (or its URL is a data URL of) inline bytes. */
export function inlineImage(image: ImageSource): { mediaType: string; data: string } | undefined {
  return image.kind === 'base64' ? { mediaType: image.mediaType, data: image.data } : parseDataUrl(image.url)
}

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' }

/** The media type an image URL's file name suggests (Gemini's fileData requires one); JPEG when it says nothing. */
export function imageTypeOfUrl(url: string): string {
  let path = url
  try {
    path = new URL(url).pathname
  } catch {
    // not a URL: use the text as it is
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase()
  return (ext && IMAGE_TYPES[ext]) || 'image/jpeg'
}

/** The tool input object of a call's JSON arguments ('' is no input); undefined when it is not a JSON object. */
export function toolInput(args: string): Record<string, unknown> | undefined {
  if (args.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(args)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Gives every tool result the name of the call it answers (OpenAI and Anthropic results carry only
 * the call's id; Gemini matches by name). Results whose id no earlier call has keep no name.
 */
export function nameToolResults(messages: ChatTurn[]): void {
  const names = new Map<string, string>()
  for (const turn of messages) {
    for (const part of turn.parts ?? []) {
      if (part.type === 'tool_call') names.set(part.id, part.name)
      else if (part.type === 'tool_result' && !part.name) {
        const name = names.get(part.toolCallId)
        if (name) part.name = name
      }
    }
  }
}
