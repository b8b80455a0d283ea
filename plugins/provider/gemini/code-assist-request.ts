import type { GeminiContent } from './request.js'

/** Generation fields gemini-cli's Code Assist converter copies into `generationConfig` (others are dropped). */
const GENERATION_FIELDS = [
  'temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'responseLogprobs', 'logprobs',
  'presencePenalty', 'frequencyPenalty', 'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'routingConfig',
  'modelSelectionConfig', 'responseModalities', 'mediaResolution', 'speechConfig', 'audioTimestamp', 'thinkingConfig',
] as const

export interface CodeAssistRequestInput {
  model: string
  project: string
  userPromptId: string
  sessionId: string
  contents: GeminiContent[]
  systemInstruction?: GeminiContent
  tools?: unknown
  /** The merged generation config (may also hold cachedContent, toolConfig, labels, safetySettings). */
  config: Record<string, unknown>
}

/**
 * The `streamGenerateContent` body gemini-cli sends to Code Assist:
 * `{model, project, user_prompt_id, request: {contents, systemInstruction, cachedContent, tools, toolConfig,
 * labels, safetySettings, generationConfig, session_id}}` (absent fields are left out by JSON).
 */
export function toCodeAssistRequest(input: CodeAssistRequestInput): Record<string, unknown> {
  const { config } = input
  const generationConfig: Record<string, unknown> = {}
  for (const field of GENERATION_FIELDS) if (config[field] !== undefined) generationConfig[field] = config[field]
  return {
    model: input.model,
    project: input.project,
    user_prompt_id: input.userPromptId,
    request: {
      contents: input.contents,
      systemInstruction: input.systemInstruction,
      cachedContent: config.cachedContent,
      tools: input.tools,
      toolConfig: config.toolConfig,
      labels: config.labels,
      safetySettings: config.safetySettings,
      generationConfig,
      session_id: input.sessionId,
    },
  }
}
