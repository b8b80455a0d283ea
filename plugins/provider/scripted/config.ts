import { z } from 'zod'

/** One step of a scripted reply. */
export const scriptStepSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }).strict(),
  z.object({ type: z.literal('thought'), text: z.string() }).strict(),
  z.object({ type: z.literal('tool-call'), tool: z.string().min(1), input: z.unknown().default({}), callId: z.string().optional() }).strict(),
  z.object({ type: z.literal('usage'), input: z.number().int().min(0), output: z.number().int().min(0), reasoning: z.number().int().min(0).optional() }).strict(),
  z.object({ type: z.literal('error'), code: z.string().min(1), message: z.string() }).strict(),
  z.object({ type: z.literal('finish'), reason: z.enum(['stop', 'length', 'tool_calls']) }).strict(),
])
export type ScriptStep = z.infer<typeof scriptStepSchema>

export const DEMO_REPLY: ScriptStep[] = [
  { type: 'thought', text: 'The user wrote to the demo agent. I will explain what this platform is and how to switch to a real model.' },
  {
    type: 'text',
    text: 'Hello from the demo agent. This reply is scripted by provider-scripted, so the platform runs with no API key. Set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY and pick that provider to talk to a real model.',
  },
  { type: 'usage', input: 24, output: 48, reasoning: 16 },
  { type: 'finish', reason: 'stop' },
]

export const configSchema = z
  .object({
    /** Models this provider answers as. */
    models: z.array(z.string().min(1)).min(1).default(['demo']),
    /** Delay between streamed chunks, in ms (0 = as fast as possible). */
    chunkDelayMs: z.number().int().min(0).max(10_000).default(25),
    /** Split text and thought steps into chunks of this many characters. */
    chunkChars: z.number().int().min(1).default(24),
    /** Replies, used in order per model call; the last one repeats. Defaults to the demo reply. */
    replies: z.array(z.array(scriptStepSchema).min(1)).min(1).default([DEMO_REPLY]),
    /** Replies per model id, each list with its own counter (e.g. agents on different models answering differently). */
    modelReplies: z.record(z.string().min(1), z.array(z.array(scriptStepSchema).min(1)).min(1)).default({}),
    /** Context window of every scripted model, in tokens (small values make compaction easy to test). */
    contextWindow: z.number().int().positive().default(200_000),
    /**
     * Title and compaction calls (activity `title` / `compaction`) are answered from the request instead
     * of from `replies` (which they do not consume). A script here answers them instead.
     */
    titleReply: z.array(scriptStepSchema).min(1).optional(),
    compactionReply: z.array(scriptStepSchema).min(1).optional(),
    /** How many built requests to keep for inspection. */
    recordLimit: z.number().int().min(0).default(100),
  })
  .strict()
export type ScriptedOptions = z.output<typeof configSchema>
