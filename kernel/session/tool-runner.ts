import { KernelErrorCode, PlatformError } from '../errors.js'
import type { KernelHooks, ParsedCall, PermissionDecision } from '../hooks/index.js'
import type { Clock, Logger } from '../ports/types.js'
import { decideByRules, escapeGlob } from '../permission-rules.js'
import type { PermissionRule, SessionInfo, ToolUpdate } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import type { PermissionRequest, ToolContext, ToolDefinition, ToolResult } from '../tool.js'
import type { DelegateRequest, DelegateResult, TurnContext } from '../turn.js'
import type { EventWriter } from './event-writer.js'
import type { PermissionAsks } from './permission-asks.js'
import { expandToolSet, toolSetCovers } from './tool-set.js'
import { ALLOWED_BY_DEFAULT, errorResult, parseCall, READ_ONLY_KINDS, truncateOutput } from './tool-call.js'

export interface ToolRunDeps {
  hooks: KernelHooks
  registries: KernelRegistries
  clock: Clock
  logger: Logger
  asks: PermissionAsks
  notify: (hook: unknown, ...args: unknown[]) => Promise<void>
  limits: { parallelTools: number; toolOutputChars: number; toolMs: number }
  /** Add rules to the session's own list and store them ("always" answers); the session object is updated too. */
  remember(session: SessionInfo, rules: PermissionRule[]): Promise<void>
  /** Run another agent as a child session (ToolContext.delegate). */
  delegate(parent: { sessionId: string; turnId: string; callId: string; signal: AbortSignal }, request: DelegateRequest): Promise<DelegateResult>
  /** Keeps file contents before a tool changes them (undo per turn). */
  files: { record(sessionId: string, turnId: string, path: string): Promise<void> }
}

export interface PendingCall {
  callId: string
  tool: string
  input: unknown
  partId: string
  /** The same call (tool + arguments) came this many times in a row before, in this turn. */
  repeats: number
}

export interface ToolOutcome {
  state: 'completed' | 'error'
  output: string
  fullOutput?: string
  error?: { code: string; message: string }
  title?: string
  metadata?: Record<string, unknown>
  decision?: string
  startedAt: string
  endedAt: string
  durationMs: number
}

interface StepContext {
  session: SessionInfo
  turn: TurnContext
  messageId: string
  events: EventWriter
}

/** Run one step's tool calls: read-only ones concurrently (up to parallelTools), the others in order. */
export async function runToolCalls(deps: ToolRunDeps, calls: PendingCall[], step: StepContext): Promise<Map<string, ToolOutcome>> {
  const results = new Map<string, ToolOutcome>()
  let batch: PendingCall[] = []
  const flush = async () => {
    const queue = [...batch]
    batch = []
    const worker = async () => {
      for (let call = queue.shift(); call; call = queue.shift()) results.set(call.callId, await runOne(deps, call, step))
    }
    await Promise.all(Array.from({ length: Math.min(deps.limits.parallelTools, queue.length) }, worker))
  }
  for (const call of calls) {
    const kind = deps.registries.tools.get(call.tool)?.kind ?? 'other'
    if (READ_ONLY_KINDS.has(kind) && call.repeats < 2) {
      batch.push(call)
      continue
    }
    await flush()
    results.set(call.callId, await runOne(deps, call, step))
  }
  await flush()
  return results
}

function update(step: StepContext, call: PendingCall, patch: Omit<ToolUpdate, 'callId' | 'partId' | 'messageId' | 'tool'>): void {
  step.events.emit('tool.updated', { callId: call.callId, partId: call.partId, messageId: step.messageId, tool: call.tool, ...patch })
}

async function runOne(deps: ToolRunDeps, call: PendingCall, step: StepContext): Promise<ToolOutcome> {
  const startedAt = deps.clock.now().toISOString()
  const started = performance.now()
  const finish = (result: ToolResult & { code?: string }, decision?: string): ToolOutcome => {
    const { output, truncated } = truncateOutput(result.output, deps.limits.toolOutputChars)
    const endedAt = deps.clock.now().toISOString()
    const outcome: ToolOutcome = {
      state: result.isError ? 'error' : 'completed', output, ...(truncated ? { fullOutput: result.output } : {}),
      ...(result.isError ? { error: { code: result.code ?? KernelErrorCode.TOOL_FAILED, message: result.output.slice(0, 500) } } : {}),
      ...(result.title ? { title: result.title } : {}), ...(result.metadata ? { metadata: result.metadata } : {}),
      ...(decision ? { decision } : {}), startedAt, endedAt, durationMs: Math.round((performance.now() - started) * 100) / 100,
    }
    update(step, call, { state: outcome.state, output, ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.title ? { title: outcome.title } : {}), timing: { startedAt, endedAt, durationMs: outcome.durationMs } })
    return outcome
  }
  const tool = deps.registries.tools.get(call.tool)
  if (!tool || !toolSetCovers(step.session.tools, call.tool)) {
    const available = expandToolSet(step.session.tools, deps.registries).map((t) => t.name).join(', ') || 'none'
    return finish({ output: `There is no tool "${call.tool}" in this session. Available tools: ${available}.`, isError: true, code: KernelErrorCode.TOOL_UNKNOWN })
  }
  let parsed: ParsedCall
  try {
    parsed = parseCall(tool, call.callId, call.input)
  } catch (error) {
    return finish(errorResult(error))
  }
  const decision = await decide(deps, tool, parsed, call, step)
  if (decision.action !== 'allow') return finish({ output: decision.reason ?? 'Permission denied.', isError: true, code: decision.action === 'deny' ? KernelErrorCode.PERMISSION_DENIED : KernelErrorCode.PERMISSION_REJECTED }, decision.decidedBy)
  try {
    const ready = await deps.hooks.tool.beforeExecute.promise(parsed, step.turn)
    const args = parseCall(tool, call.callId, ready.args).args
    update(step, call, { state: 'running', input: args, timing: { startedAt } })
    let result = await execute(deps, tool, args, call, step)
    result = await deps.hooks.tool.afterExecute.promise(result, parsed, step.turn)
    const outcome = finish(result, decision.decidedBy)
    await deps.notify(deps.hooks.tool.executed, parsed, result, { startedAt, durationMs: outcome.durationMs })
    return outcome
  } catch (error) {
    return finish(errorResult(error), decision.decidedBy)
  }
}

/**
 * The rule lists (the tool.permission hook) first, then the session's own rules (with its "always"
 * answers), then the default by kind, then the user. A call repeated three times in a row is asked
 * about unless a rule denies it.
 */
async function decide(deps: ToolRunDeps, tool: ToolDefinition, parsed: ParsedCall, call: PendingCall, step: StepContext): Promise<{ action: 'allow' | 'deny' | 'reject'; reason?: string; decidedBy?: string }> {
  const ruled: PermissionDecision | undefined = (await deps.hooks.tool.permission.promise(parsed, step.turn)) ?? decideByRules(step.session.permissions, parsed, 'session')
  if (ruled?.action === 'deny') return { action: 'deny', reason: `Permission denied for ${tool.name} (${parsed.subject})${ruled.reason ? `: ${ruled.reason}` : ''}.`, decidedBy: ruled.decidedBy ?? 'policy' }
  const repeated = call.repeats >= 2
  if (!repeated) {
    if (ruled?.action === 'allow') return { action: 'allow', decidedBy: ruled.decidedBy ?? 'policy' }
    if (!ruled && ALLOWED_BY_DEFAULT.has(tool.kind)) return { action: 'allow', decidedBy: 'default' }
  }
  const summary = repeated
    ? `${tool.name} is being called with the same arguments for the ${call.repeats + 1}th time in a row (${parsed.subject}). Run it again?`
    : `Allow ${tool.name}: ${parsed.subject}?`
  const outcome = await askUser(deps, tool, call, step, { summary, patterns: [escapeGlob(parsed.subject)], reason: repeated ? 'repeated_call' : ruled?.reason ?? 'default' })
  if (outcome.reply === 'reject') {
    const why = outcome.by === 'timeout' ? 'nobody answered in time' : outcome.by === 'abort' ? 'the turn was aborted' : 'the user said no'
    return { action: 'reject', reason: `The user did not allow ${tool.name} (${parsed.subject}): ${why}.${outcome.message ? ` Their message: ${outcome.message}` : ''}`, decidedBy: outcome.by }
  }
  return { action: 'allow', decidedBy: 'user' }
}

/** Ask the user; an "always" answer becomes session rules allowing the asked patterns from now on. */
async function askUser(deps: ToolRunDeps, tool: ToolDefinition, call: PendingCall, step: StepContext, ask: { summary: string; patterns: string[]; reason: string }) {
  const outcome = await deps.asks.ask({ sessionId: step.session.id, callId: call.callId, tool: tool.name, kind: tool.kind, ...ask }, step.events, step.turn.signal)
  if (outcome.reply === 'always') {
    await deps.remember(step.session, ask.patterns.map((match) => ({ tool: escapeGlob(tool.name), match, action: 'allow' as const }))).catch((error: unknown) => {
      deps.logger.error('storing an "always" answer failed', { sessionId: step.session.id, error: String(error) })
    })
  }
  return outcome
}

async function execute(deps: ToolRunDeps, tool: ToolDefinition, args: Record<string, unknown>, call: PendingCall, step: StepContext): Promise<ToolResult> {
  const timeoutMs = tool.timeoutMs ?? deps.limits.toolMs
  const timeout = new AbortController()
  const signal = AbortSignal.any([step.turn.signal, timeout.signal])
  const ctx: ToolContext = {
    sessionId: step.session.id,
    turnId: step.turn.turnId,
    callId: call.callId,
    abortSignal: signal,
    workdir: step.session.workspace,
    logger: deps.logger.child(`tool:${tool.name}`),
    reportProgress: (progress) => update(step, call, { state: 'running', progress }),
    ask: (request: PermissionRequest) => askInside(deps, tool, call, step, request),
    recordFileChange: (path) => deps.files.record(step.session.id, step.turn.turnId, path),
    delegate: (request) => deps.delegate({ sessionId: step.session.id, turnId: step.turn.turnId, callId: call.callId, signal }, request),
  }
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout.abort()
      // Give the tool a moment to stop its processes, then give up on it.
      setTimeout(() => reject(new PlatformError(KernelErrorCode.TOOL_TIMEOUT, `${tool.name} did not finish within ${timeoutMs} ms and was stopped.`)), 2_000).unref()
    }, timeoutMs)
  })
  try {
    return await Promise.race([tool.execute(args as never, ctx), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** A tool's own mid-run question (e.g. a path outside the workspace); the session's rules may answer it. */
async function askInside(deps: ToolRunDeps, tool: ToolDefinition, call: PendingCall, step: StepContext, request: PermissionRequest): Promise<void> {
  const decisions = request.patterns.map((subject) => decideByRules(step.session.permissions, { tool: tool.name, subject }, 'session'))
  const denied = decisions.find((d) => d?.action === 'deny')
  if (denied) throw new PlatformError(KernelErrorCode.PERMISSION_DENIED, `Not allowed: ${request.title} (${denied.reason}).`)
  if (decisions.length > 0 && decisions.every((d) => d?.action === 'allow')) return
  const outcome = await askUser(deps, tool, call, step, { summary: request.title, patterns: request.patterns, reason: request.reason })
  if (outcome.reply === 'reject') {
    throw new PlatformError(KernelErrorCode.PERMISSION_REJECTED, `Not allowed: ${request.title} (${outcome.by === 'user' ? 'the user said no' : outcome.by === 'timeout' ? 'nobody answered in time' : 'the turn was aborted'}).${outcome.message ? ` Their message: ${outcome.message}` : ''}`)
  }
}
