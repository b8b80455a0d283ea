import t from 'tap'
import platformConfig from '../../../config/platform.config.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { createCallTracker } from './call-tracker.js'
import { configSchema } from './config.js'
import type { MeteredCall } from './meter.js'

t.test('the shipped config enables usage-metering with options its schema accepts', async (t) => {
  const entry = (platformConfig as { plugins: Record<string, unknown> }).plugins['usage-metering']
  t.ok(entry, 'listed in config/platform.config.ts')
  t.ok(configSchema.safeParse(entry).success)
})

t.test('boot errors: persistence-postgres is required; a bad price names the model and the fix', async (t) => {
  await t.rejects(createTestKernel({ plugins: { 'usage-metering': {} } }), { code: 'KERNEL_DEPENDENCY_MISSING' })
  await t.rejects(
    createTestKernel({ plugins: { 'persistence-postgres': { embeddedDir: 'memory://' }, 'usage-metering': { pricing: { 'openai/gpt-4o': { input: '2.5', output: 10 } } } } }),
    { code: 'KERNEL_PLUGIN_OPTIONS_INVALID', message: /pricing.*openai\/gpt-4o.*output/ },
  )
})

t.test('call tracker: joins request, tool calls, usage and finish; side calls complete at their usage; nothing kept after', async (t) => {
  const calls: MeteredCall[] = []
  let clock = 5_000
  const tracker = createCallTracker((c) => calls.push(c), () => clock)
  const session = { id: 's1' } as never
  const turn = { sessionId: 's1', turnId: 't1', step: 2, session, signal: new AbortController().signal }
  const request = { provider: 'p', model: 'm', activity: 'conversation' as const, system: 'sys', messages: [], tools: [], extra: {} }
  tracker.requestSent(request, turn)
  const ctx = { sessionId: 's1', turnId: 't1', messageId: 'msg1', activity: 'conversation' as const, provider: 'p', model: 'm', step: 2, startedAt: 4_000 }
  tracker.toolCall({ tool: 'grep', input: { q: 1 } }, ctx)
  tracker.usage({ input: 10, output: 2 }, ctx)
  t.equal(calls.length, 0, 'waits for stream.finished (tool calls may still come)')
  tracker.toolCall({ tool: 'read', input: {} }, ctx)
  tracker.finished(ctx)
  t.match(calls[0], { sessionId: 's1', messageId: 'msg1', step: 2, request, toolCalls: [{ tool: 'grep' }, { tool: 'read' }], startedAt: 4_000, endedAt: 5_000 })
  t.equal(tracker.currentTurnOf('s1'), 't1')

  clock = 6_000
  tracker.requestSent({ ...request, activity: 'title' }, { ...turn, step: 0 })
  tracker.usage({ input: 3, output: 1 }, { sessionId: 's1', turnId: 't1', messageId: '', activity: 'title', provider: 'p', model: 'm', step: 0, startedAt: 5_900 })
  t.match(calls[1], { messageId: null, activity: 'title', request: { activity: 'title' }, endedAt: 6_000 })

  tracker.requestSent(request, { ...turn, step: 3 })
  tracker.finished({ ...ctx, messageId: 'msg2', step: 3 })
  t.equal(calls.length, 2, 'a call without usage is not metered')
  t.same(tracker.pending(), { requests: 0, toolCalls: 0, usages: 0 })
})
