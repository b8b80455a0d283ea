import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import type { ParsedCall, TurnContext } from '../../../kernel/index.js'

const call = (tool: string, subject: string, kind: ParsedCall['kind'] = 'edit'): ParsedCall => ({ callId: 'c1', tool, kind, args: {}, subject })

t.test('stages: admin beats the agent, the agent beats the project, the .env guard, nothing decided falls through', async (t) => {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': true,
      'permission-policy': {
        admin: [{ tool: 'run_command', match: 'rm -rf*', action: 'deny' }],
        rules: [{ tool: 'write_file', action: 'ask' }, { tool: 'run_command', match: 'npm test*', action: 'allow' }],
      },
    },
    kernel: {
      agents: {
        demo: { provider: 'scripted', model: 'demo' },
        builder: { provider: 'scripted', model: 'demo', permissions: [{ tool: 'write_file', match: '/w/src/**', action: 'allow' }, { tool: 'run_command', action: 'allow' }] },
        reviewer: { provider: 'scripted', model: 'demo', permissions: [{ tool: 'write_*', action: 'deny' }] },
      },
    },
  })
  t.teardown(tk.close)
  const hook = tk.kernel.hooks.tool.permission
  const turn = (agent: string) => ({ session: { agent } }) as unknown as TurnContext
  t.match(await hook.promise(call('run_command', 'rm -rf /', 'execute'), turn('builder')), { action: 'deny', decidedBy: 'admin' }, 'admin first, even over an agent that allows all commands')
  t.match(await hook.promise(call('write_file', '/w/src/a.ts'), turn('builder')), { action: 'allow', decidedBy: 'agent builder' })
  t.match(await hook.promise(call('write_file', '/w/docs/a.md'), turn('builder')), { action: 'ask', decidedBy: 'project' }, 'the agent had no matching rule: the project decides')
  t.match(await hook.promise(call('write_file', '/w/src/a.ts'), turn('reviewer')), { action: 'deny', decidedBy: 'agent reviewer' })
  t.match(await hook.promise(call('run_command', 'npm test -- --grep x', 'execute'), turn('demo')), { action: 'allow', decidedBy: 'project' })
  t.match(await hook.promise(call('read_file', '/w/.env', 'read'), turn('demo')), { action: 'deny', reason: /environment file/ })
  t.equal(await hook.promise(call('read_file', '/w/.env.example', 'read'), turn('demo')), undefined, '.env.example: undecided, the kernel default (allow reads) applies')
  t.equal(await hook.promise(call('grep', '/w/src', 'search'), turn('demo')), undefined)
  const taps = tk.kernel.describe().hooks.find((h) => h.hook === 'tool.permission')?.taps
  t.same(taps?.map((x) => [x.plugin, x.stage]), [['permission-policy', -200], ['permission-policy', -100], ['permission-policy', 0]])
  t.same(tk.kernel.describe().plugins.find((p) => p.id === 'permission-policy')?.hooks, ['tool.permission@-200', 'tool.permission@-100', 'tool.permission'])
})

t.test('options are strict and rules validated', async (t) => {
  await t.rejects(createTestKernel({ plugins: { 'permission-policy': { rules: [{ tool: 'x', action: 'maybe' }] } } }), { code: 'KERNEL_PLUGIN_OPTIONS_INVALID' })
})
