import t from 'tap'
import type { MessageInfo, PartInfo } from '../protocol/index.js'
import { orderByTurn, toChatMessages } from './history.js'

const part = (kind: PartInfo['kind'], data: Record<string, unknown>, ordinal = 0): PartInfo => ({ id: `p${Math.random()}`, messageId: 'm', ordinal, kind, data, createdAt: '', updatedAt: '' })
const message = (id: string, turnId: string, role: MessageInfo['role'], parts: PartInfo[]): MessageInfo => ({
  id, sessionId: 's', turnId, role, agent: 'a', provider: 'anthropic', model: 'm', finish: 'stop', error: null, createdAt: id, completedAt: null, parts,
})

t.test('history: reasoning with its signature, tool calls followed by their results', async (t) => {
  const history = [
    message('1', 't1', 'user', [part('text', { text: 'read a.txt' })]),
    message('2', 't1', 'assistant', [
      part('reasoning', { text: 'I should read it.', signature: 'sig-1', providerId: 'anthropic' }),
      part('text', { text: 'Reading.' }, 1),
      part('tool', { callId: 'c1', tool: 'read_file', input: { path: 'a.txt' }, state: 'completed', output: 'hello', meta: { thoughtSignature: 'x' } }, 2),
      part('tool', { callId: 'c2', tool: 'read_file', input: { path: 'b.txt' }, state: 'error', output: 'not found' }, 3),
    ]),
  ]
  t.same(toChatMessages(history), [
    { role: 'user', content: [{ type: 'text', text: 'read a.txt' }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'I should read it.', signature: 'sig-1', providerId: 'anthropic' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool-call', callId: 'c1', tool: 'read_file', input: { path: 'a.txt' }, meta: { thoughtSignature: 'x' } },
        { type: 'tool-call', callId: 'c2', tool: 'read_file', input: { path: 'b.txt' } },
      ],
    },
    {
      role: 'tool',
      content: [
        { type: 'tool-result', callId: 'c1', tool: 'read_file', output: 'hello' },
        { type: 'tool-result', callId: 'c2', tool: 'read_file', output: 'not found', isError: true },
      ],
    },
  ])
})

t.test('turn order: a message queued during a turn follows that turn, later turns are cut', async (t) => {
  const list = [message('1', 't1', 'user', []), message('2', 't2', 'user', []), message('3', 't1', 'assistant', []), message('4', 't2', 'assistant', [])]
  t.same(orderByTurn(list).map((m) => m.id), ['1', '3', '2', '4'])
  t.same(orderByTurn(list, 't1').map((m) => m.id), ['1', '3'])
})
