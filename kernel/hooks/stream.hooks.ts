import { SyncHook } from 'tapable'
import type { UsageReport } from '../provider.js'
import type { StreamContext } from '../turn.js'

export function createStreamHooks() {
  return {
    /** N. Each text chunk of the model's answer. */
    textDelta: new SyncHook<[string, StreamContext]>(['delta', 'ctx'], 'stream.textDelta'),
    /** N. Each reasoning (thought) chunk. */
    thoughtDelta: new SyncHook<[string, StreamContext]>(['delta', 'ctx'], 'stream.thoughtDelta'),
    /** N. A complete tool call requested by the model. */
    toolCall: new SyncHook<[{ callId: string; tool: string; input: unknown }, StreamContext]>(['call', 'ctx'], 'stream.toolCall'),
    /** N. Usage reported by the provider. */
    usage: new SyncHook<[UsageReport, StreamContext]>(['usage', 'ctx'], 'stream.usage'),
    /** N. The model's stream ended. */
    finished: new SyncHook<[{ reason: string }, StreamContext]>(['finish', 'ctx'], 'stream.finished'),
  }
}
export type StreamHooks = ReturnType<typeof createStreamHooks>
