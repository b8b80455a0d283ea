import type { ModelRequest } from '../../../kernel/index.js'
import { largestRemainder } from './largest-remainder.js'
import type { MeteredUsage } from './normalise.js'
import type { CallCost, ResolvedRates } from './pricing.js'
import { tokenCount } from './token-count.js'

/** Activities usage is attributed to. */
export const ACTIVITIES = ['conversation', 'tool_use', 'subagent', 'compaction', 'title', 'system'] as const
export type UsageActivity = (typeof ACTIVITIES)[number]

/** One attributed share of a call. */
export interface AttributionPart {
  activity: UsageActivity
  tool: string | null
  tokens: number
  costPico: bigint | null
}

interface Segment {
  activity: UsageActivity
  tool: string | null
  weight: number
}

/**
 * The prompt in the order the provider reads it: the system part (system prompt + tool definitions),
 * then each message item. User and assistant text and reasoning are `conversation`; tool calls and
 * tool results are `tool_use` under their tool's name.
 */
export function promptSegments(request: ModelRequest): Segment[] {
  const tools = request.tools.length > 0 ? JSON.stringify(request.tools) : ''
  const segments: Segment[] = [{ activity: 'system', tool: null, weight: tokenCount(request.system) + tokenCount(tools) }]
  for (const message of request.messages) {
    for (const item of message.content) {
      if (item.type === 'text' || item.type === 'reasoning') segments.push({ activity: 'conversation', tool: null, weight: tokenCount(item.text) })
      else if (item.type === 'tool-call') segments.push({ activity: 'tool_use', tool: item.tool, weight: tokenCount(item.tool) + tokenCount(JSON.stringify(item.input ?? null)) })
      else segments.push({ activity: 'tool_use', tool: item.tool, weight: tokenCount(item.output) })
    }
  }
  return segments
}

/** The output: tool_use (by tool, weighted by the calls' arguments) when the call requested tools, else conversation. */
function outputSegments(toolCalls: Array<{ tool: string; input: unknown }>): Segment[] {
  if (toolCalls.length === 0) return [{ activity: 'conversation', tool: null, weight: 1 }]
  return toolCalls.map((c) => ({ activity: 'tool_use' as const, tool: c.tool, weight: 1 + tokenCount(JSON.stringify(c.input ?? null)) }))
}

type Kind = keyof ResolvedRates

/** Hand `amounts` of each kind, in order, to the segments' token allotments (a cached prefix comes first). */
function walk(allotments: number[], kinds: Array<[Kind, number]>): Array<Array<[Kind, number]>> {
  const out: Array<Array<[Kind, number]>> = allotments.map(() => [])
  let k = 0
  let leftInKind = kinds[0]?.[1] ?? 0
  allotments.forEach((size, i) => {
    let room = size
    while (room > 0 && k < kinds.length) {
      if (leftInKind === 0) {
        k += 1
        leftInKind = kinds[k]?.[1] ?? 0
        continue
      }
      const take = Math.min(room, leftInKind)
      out[i].push([kinds[k][0], take])
      room -= take
      leftInKind -= take
    }
  })
  return out
}

export interface AttributionInput {
  /** The request as sent (null when it was not seen, e.g. the call started before a restart). */
  request: ModelRequest | null
  /** compaction and title calls are attributed whole to themselves. */
  activity: UsageActivity
  toolCalls: Array<{ tool: string; input: unknown }>
  usage: MeteredUsage
  cost: CallCost | null
}

/**
 * Attribute a call's tokens and cost to activities. Prompt tokens (input + cache read + cache write)
 * are split over the prompt's parts in proportion to their token counts (largest remainder, so they
 * sum exactly); walking the prompt in order, the first tokens are the cache reads, then the cache
 * writes, then the uncached input (caches hold prefixes), and each part pays its kinds' rates. Output
 * tokens (reasoning first) go to the output segments the same way. Parts with the same activity and
 * tool are merged. Token and cost parts sum exactly to the call's totals.
 */
export function attribute(input: AttributionInput): AttributionPart[] {
  const { usage, cost } = input
  const whole = input.activity === 'compaction' || input.activity === 'title'
  const prompt = whole || !input.request ? [{ activity: whole ? input.activity : 'conversation', tool: null, weight: 1 } as Segment] : promptSegments(input.request)
  const output = whole ? [{ activity: input.activity, tool: null, weight: 1 } as Segment] : outputSegments(input.toolCalls)
  const promptTotal = usage.input + usage.cacheRead + usage.cacheWrite
  const promptKinds = walk(largestRemainder(promptTotal, prompt.map((s) => s.weight)), [
    ['cacheRead', usage.cacheRead],
    ['cacheWrite1h', usage.cacheWrite1h],
    ['cacheWrite', usage.cacheWrite - usage.cacheWrite1h],
    ['input', usage.input],
  ])
  const outputKinds = walk(largestRemainder(usage.output, output.map((s) => s.weight)), [
    ['reasoning', usage.reasoning],
    ['output', usage.output - usage.reasoning],
  ])
  const merged = new Map<string, AttributionPart>()
  const add = (segment: Segment, kinds: Array<[Kind, number]>) => {
    const key = `${segment.activity}\u0000${segment.tool ?? ''}`
    const part = merged.get(key) ?? { activity: segment.activity, tool: segment.tool, tokens: 0, costPico: cost ? 0n : null }
    for (const [kind, tokens] of kinds) {
      part.tokens += tokens
      if (cost && part.costPico !== null) part.costPico += BigInt(tokens) * cost.rates[kind]
    }
    merged.set(key, part)
  }
  prompt.forEach((segment, i) => add(segment, promptKinds[i]))
  output.forEach((segment, i) => add(segment, outputKinds[i]))
  return [...merged.values()].filter((p) => p.tokens > 0 || merged.size === 1)
}
