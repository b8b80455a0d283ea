import { KernelErrorCode, PlatformError } from '../errors.js'
import { isTapped } from '../hooks/index.js'
import type { ChatMessage, ModelActivity, ModelRequest, UsageReport } from '../provider.js'
import type { SessionInfo } from '../protocol/index.js'
import type { TurnContext } from '../turn.js'
import { withStreamTimeouts } from './stream-timeouts.js'
import type { TurnDeps } from './turn-runner.js'

export interface SideCallInput {
  session: Readonly<SessionInfo>
  turnId: string
  signal: AbortSignal
  activity: Extract<ModelActivity, 'compaction' | 'title'>
  system: string
  messages: ChatMessage[]
}

export type SideCallDeps = Pick<TurnDeps, 'config' | 'hooks' | 'notify' | 'clientFor'>

/**
 * A model call the kernel makes for itself (a summary, a title): same provider and model as the
 * session, no tools, through request.admit and request.build like any call, the answer collected as
 * text. Fails with a PlatformError (the caller decides what that means for the session).
 */
export async function sideCall(deps: SideCallDeps, input: SideCallInput): Promise<{ text: string; usage?: UsageReport }> {
  const { session, turnId, signal, activity } = input
  const turn: TurnContext = { sessionId: session.id, turnId, session, step: 0, signal }
  let request: ModelRequest = { provider: session.provider, model: session.model, activity, system: input.system, messages: input.messages, tools: [], extra: {} }
  const rejection = await deps.hooks.request.admit.promise(request, turn)
  if (rejection) throw new PlatformError(rejection.code, rejection.message)
  request = await deps.hooks.request.build.promise(request, turn)
  void deps.notify(deps.hooks.request.sent, request, turn)
  const startedAt = Date.now()
  const raw = deps.clientFor(session.provider).stream(request, { signal, session, turnId })
  const timed = withStreamTimeouts(raw, { firstByteMs: deps.config.timeouts.providerFirstByteMs, idleMs: deps.config.timeouts.providerIdleMs })
  let text = ''
  let usage: UsageReport | undefined
  for await (const chunk of timed.stream) {
    if (signal.aborted) throw new PlatformError(KernelErrorCode.TURN_ABORTED, `The ${activity} call was aborted.`)
    if (chunk.type === 'text') text += chunk.delta
    else if (chunk.type === 'usage') {
      usage = chunk.usage
      if (isTapped(deps.hooks.stream.usage)) void deps.notify(deps.hooks.stream.usage, chunk.usage, { sessionId: session.id, turnId, messageId: '', activity, provider: session.provider, model: session.model, step: 0, startedAt })
    } else if (chunk.type === 'error') throw new PlatformError(chunk.code, chunk.message, { retryable: chunk.retryable })
  }
  if (signal.aborted) throw new PlatformError(KernelErrorCode.TURN_ABORTED, `The ${activity} call was aborted.`)
  return { text: text.trim(), ...(usage ? { usage } : {}) }
}
