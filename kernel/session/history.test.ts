import t from 'tap'
import type { MessageInfo, PartInfo } from '../protocol/index.js'
import { orderByTurn, SUMMARY_PREFIX, toChatMessages } from './history.js'

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

t.test('a tool with its own JSON Schema is offered with it (MCP); others are converted from zod', async (t) => {
  const { z } = await import('zod')
  const { toToolSpec } = await import('./history.js')
  const own = { name: 'srv__echo', description: 'Echo.', kind: 'other' as const, inputSchema: z.record(z.string(), z.unknown()), jsonSchema: { $schema: 'x', type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }, execute: async () => ({ output: '' }) }
  t.same(toToolSpec(own).inputSchema, { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }, '$schema dropped, the rest as given')
  t.equal(own.jsonSchema.$schema, 'x', 'the definition is not changed')
  const converted = { ...own, name: 'plain', jsonSchema: undefined, inputSchema: z.object({ n: z.number() }).strict() }
  t.match(toToolSpec(converted).inputSchema, { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] })
})

t.test('context: superseded answers are left out; after a compaction its summary comes first, replaced messages go', async (t) => {
  const { contextMessages } = await import('./history.js')
  const history = [
    message('1', 't1', 'user', [part('text', { text: 'one' })]),
    message('2', 't1', 'assistant', [part('text', { text: 'first answer' })]),
    message('3', 't2', 'user', [part('text', { text: 'two' })]),
    { ...message('4', 't2', 'assistant', [part('text', { text: 'old' })]), supersededAt: 'x' },
    message('5', 't2', 'assistant', [part('text', { text: 'new' })]),
    message('6', 't3', 'user', [part('text', { text: 'three' })]),
    message('7', 't3', 'assistant', [part('compaction', { summary: 'S', replaced: ['1', '2'] })]),
  ]
  t.same(contextMessages(history).map((m) => m.id), ['7', '3', '5', '6'])
  t.same(toChatMessages(history).map((m) => [m.role, m.content.map((c) => (c as { text: string }).text)]), [
    ['user', [`${SUMMARY_PREFIX}\n\nS`, 'two']],
    ['assistant', ['new']],
    ['user', ['three']],
  ], 'the summary and the next user message merge into one user message')
})

t.test('attachments reach the model: textual ones inline (base64 decoded), binary ones named', async (t) => {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const history = [
    message('1', 't1', 'user', [
      part('text', { text: 'see attached' }),
      part('file', { name: 'notes.md', mimeType: 'text/markdown', data: b64('# Notes\nünï') }, 1),
      part('file', { name: 'logo.png', mimeType: 'image/png', data: b64('PNG') }, 2),
    ]),
  ]
  t.same(toChatMessages(history), [{ role: 'user', content: [
    { type: 'text', text: 'see attached' },
    { type: 'text', text: 'Attached file notes.md (text/markdown):\n# Notes\nünï' },
    { type: 'text', text: '[Attached file logo.png (image/png): binary content not shown to the model.]' },
  ] }])
})
