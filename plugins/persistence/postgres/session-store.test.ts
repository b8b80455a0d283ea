import t, { type Test } from 'tap'
import type { protocol, SessionStore } from '../../../kernel/index.js'
import { createMemorySessionStore } from '../../../kernel/ports/memory-session-store.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { backendOptions, dropSchema, uniqueSchema } from './test-support.js'

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute)).toISOString()

function session(id: string, overrides: Partial<protocol.SessionInfo> = {}): protocol.SessionInfo {
  return {
    id, parentId: null, title: `title ${id}`, agent: 'demo', provider: 'scripted', model: 'demo', tools: ['read_file', 'shell'],
    workspace: '/work', permissions: [], forkedFrom: null, ownerId: null, status: 'idle', seq: 0, createdAt: at(0), updatedAt: at(0), ...overrides,
  }
}

function part(messageId: string, ordinal: number, data: Record<string, unknown> = { text: `part ${ordinal}` }): protocol.PartInfo {
  return { id: `${messageId}-p${ordinal}`, messageId, ordinal, kind: 'text', data, createdAt: at(ordinal), updatedAt: at(ordinal + 1) }
}

function message(id: string, sessionId: string, minute: number, parts = 2): protocol.MessageInfo {
  return {
    id, sessionId, turnId: `turn-${id}`, role: 'assistant', agent: 'demo', provider: 'scripted', model: 'demo', finish: null, error: null,
    createdAt: at(minute), completedAt: null, parts: Array.from({ length: parts }, (_, i) => part(id, i)),
  }
}

/** The SessionStore contract: every implementation must pass exactly this. */
function contract(t: Test, name: string, store: () => SessionStore, reset: () => Promise<void>): void {
  t.test(`${name}: SessionStore contract`, async (t) => {
    t.beforeEach(reset)

    t.test('createSession / getSession round-trip every field; unknown id is null', async (t) => {
      const root = session('s-root', { title: null, tools: [], seq: 42, status: 'busy', updatedAt: at(5) })
      await store().createSession(root)
      t.same(await store().getSession('s-root'), root)
      t.equal(await store().getSession('nope'), null)
    })

    t.test('createSession on an existing id replaces the record', async (t) => {
      await store().createSession(session('s1'))
      const replaced = session('s1', { title: 'new', agent: 'other', tools: ['x'], seq: 3, updatedAt: at(9) })
      await store().createSession(replaced)
      t.same(await store().getSession('s1'), replaced)
      t.equal((await store().listSessions()).length, 1)
    })

    t.test('returned records are copies', async (t) => {
      await store().createSession(session('s1'))
      const got = (await store().getSession('s1'))!
      got.tools.push('mutated')
      got.title = 'mutated'
      t.same(await store().getSession('s1'), session('s1'))
    })

    t.test('listSessions: newest update first, parentId filter (null = roots), limit (default 100)', async (t) => {
      await store().createSession(session('a', { updatedAt: at(1) }))
      await store().createSession(session('b', { updatedAt: at(3) }))
      await store().createSession(session('c', { updatedAt: at(2), parentId: 'a' }))
      await store().createSession(session('d', { updatedAt: at(4), parentId: 'c' }))
      t.same((await store().listSessions()).map((s) => s.id), ['d', 'b', 'c', 'a'])
      t.same((await store().listSessions({ parentId: null })).map((s) => s.id), ['b', 'a'])
      t.same((await store().listSessions({ parentId: 'a' })).map((s) => s.id), ['c'])
      t.same((await store().listSessions({ parentId: 'c' })).map((s) => s.id), ['d'])
      t.same(await store().listSessions({ parentId: 'zzz' }), [])
      await store().updateSession('b', { ownerId: 'usr_1' })
      await store().updateSession('d', { ownerId: 'usr_1' })
      t.same((await store().listSessions({ ownerId: 'usr_1' })).map((s) => s.id), ['d', 'b'], 'ownerId filter')
      t.same((await store().listSessions({ ownerId: 'usr_1', parentId: null })).map((s) => s.id), ['b'], 'with parentId')
      t.equal((await store().getSession('b'))?.ownerId, 'usr_1')
      await store().updateSession('a', { status: 'busy' })
      t.same((await store().listSessions({ status: 'busy' })).map((s) => s.id), ['a'], 'status filter')
      await store().updateSession('d', { agent: 'writer' })
      t.same((await store().listSessions({ agent: 'writer' })).map((s) => s.id), ['d'], 'agent filter')
      t.same((await store().listSessions({ limit: 2 })).map((s) => s.id), ['d', 'b'])
      t.same((await store().listSessions({ limit: 0 })), [])
      t.same((await store().listSessions({ parentId: 'a' }))[0], session('c', { updatedAt: at(2), parentId: 'a' }))
    })

    t.test('listSessions returns at most 100 by default', async (t) => {
      for (let i = 0; i < 101; i++) await store().createSession(session(`s${String(i).padStart(3, '0')}`, { updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString() }))
      const list = await store().listSessions()
      t.equal(list.length, 100)
      t.equal(list[0].id, 's100')
      t.equal(list[99].id, 's001')
    })

    t.test('updateSession patches the given fields only and returns the patched session; unknown id is a no-op (null)', async (t) => {
      await store().createSession(session('s1'))
      const returned = await store().updateSession('s1', { status: 'busy', seq: 17, updatedAt: at(30) })
      t.same(await store().getSession('s1'), session('s1', { status: 'busy', seq: 17, updatedAt: at(30) }))
      t.same(returned, session('s1', { status: 'busy', seq: 17, updatedAt: at(30) }), 'the patched session comes back')
      await store().updateSession('s1', { title: null, tools: ['only'], agent: 'a2', provider: 'p2', model: 'm2', workspace: '/other', parentId: 'p' })
      t.same(
        await store().getSession('s1'),
        session('s1', { status: 'busy', seq: 17, updatedAt: at(30), title: null, tools: ['only'], agent: 'a2', provider: 'p2', model: 'm2', workspace: '/other', parentId: 'p' }),
      )
      const rules: protocol.PermissionRule[] = [{ tool: 'run_command', match: 'git *', action: 'allow' }, { tool: '*', action: 'ask' }]
      await store().updateSession('s1', { permissions: rules, forkedFrom: { sessionId: 's0', messageId: 'm9' } })
      const patched = (await store().getSession('s1'))!
      t.same(patched.permissions, rules, 'permission rules in their order')
      t.same(patched.forkedFrom, { sessionId: 's0', messageId: 'm9' })
      await store().updateSession('s1', { forkedFrom: null, permissions: [] })
      t.same((await store().getSession('s1'))!.forkedFrom, null)
      t.same((await store().getSession('s1'))!.permissions, [])
      t.equal(await store().updateSession('ghost', { status: 'error' }), null)
      t.equal(await store().getSession('ghost'), null)
      t.same(await store().updateSession('s1', {}), await store().getSession('s1'), 'an empty patch returns the session as it is')
    })

    t.test('saveMessage + listMessages: creation order, parts in ordinal order, per session', async (t) => {
      await store().createSession(session('s1'))
      await store().saveMessage(message('m1', 's1', 1, 3))
      await store().saveMessage(message('m2', 's1', 2, 1))
      await store().saveMessage(message('other', 's2', 1))
      const list = await store().listMessages('s1')
      t.same(list, [message('m1', 's1', 1, 3), message('m2', 's1', 2, 1)])
      t.same(list[0].parts.map((p) => p.ordinal), [0, 1, 2])
      t.same(await store().listMessages('s2'), [message('other', 's2', 1)])
      t.same(await store().listMessages('none'), [])
    })

    t.test('a message keeps its offered tools and when it was superseded', async (t) => {
      const answer = { ...message('m1', 's1', 1, 1), tools: ['read_file', 'grep'], supersededAt: at(9) }
      await store().saveMessage(answer)
      t.same(await store().listMessages('s1'), [answer])
      const plain = message('m2', 's1', 2, 1)
      await store().saveMessage(plain)
      const [, second] = await store().listMessages('s1')
      t.notOk('tools' in second, 'no tools key when none were recorded')
      t.notOk('supersededAt' in second)
    })

    t.test('deleteSession removes the session, its messages and parts; others stay', async (t) => {
      await store().createSession(session('s1'))
      await store().createSession(session('s2'))
      await store().saveMessage(message('m1', 's1', 1, 2))
      await store().saveMessage(message('m2', 's2', 1, 1))
      t.equal(await store().deleteSession('s1'), true)
      t.equal(await store().getSession('s1'), null)
      t.same(await store().listMessages('s1'), [])
      t.same(await store().listMessages('s2'), [message('m2', 's2', 1, 1)])
      t.equal(await store().deleteSession('s1'), false, 'a second delete finds nothing')
    })

    t.test('saveMessage again replaces the message and all of its parts', async (t) => {
      await store().saveMessage(message('m1', 's1', 1, 3))
      await store().saveMessage(message('m2', 's1', 2, 1))
      const final: protocol.MessageInfo = {
        ...message('m1', 's1', 1, 0),
        finish: 'error', error: { code: 'PROVIDER_STREAM_FAILED', message: 'upstream closed' }, completedAt: at(7),
        parts: [
          { ...part('m1', 0), data: { text: 'changed' }, updatedAt: at(8) },
          { ...part('m1', 1), kind: 'tool', data: { callId: 'c1', tool: 'shell', input: { cmd: 'ls', args: [1, 2.5, true, null] }, state: 'completed', output: 'ünïcødé ✓' } },
        ],
      }
      await store().saveMessage(final)
      t.same(await store().listMessages('s1'), [final, message('m2', 's1', 2, 1)], 'part 2 is gone, part 0 changed, part 1 became a tool part')
      await store().saveMessage({ ...final, parts: [] })
      t.same((await store().listMessages('s1'))[0].parts, [], 'an empty part list deletes every part')
    })

    t.test('a message with a part added later keeps ordinal order', async (t) => {
      const m = message('m1', 's1', 1, 1)
      await store().saveMessage(m)
      await store().saveMessage({ ...m, parts: [...m.parts, part('m1', 2), part('m1', 1)].sort((a, b) => a.ordinal - b.ordinal) })
      t.same((await store().listMessages('s1'))[0].parts.map((p) => p.id), ['m1-p0', 'm1-p1', 'm1-p2'])
    })
  })
}

// --- the two implementations ------------------------------------------------------------------

let memory = createMemorySessionStore()
contract(t, 'memory', () => memory, async () => {
  memory = createMemorySessionStore()
})

const schema = uniqueSchema()
const booted = await createTestKernel({ plugins: { 'persistence-postgres': backendOptions(schema), 'provider-scripted': { chunkDelayMs: 0 } } })
t.teardown(async () => {
  await booted.close()
  await dropSchema(schema)
})
const pgStore = booted.kernel.resolve('sessionStore')
const db = booted.kernel.resolve('persistencePostgres')
const truncate = async () => {
  await db.query('truncate table session, message, message_part')
}
contract(t, `postgres (${db.mode})`, () => pgStore, truncate)

t.test('postgres: specifics beyond the contract', async (t) => {
  t.beforeEach(truncate)

  t.test('root_id follows the parent chain', async (t) => {
    await pgStore.createSession(session('root'))
    await pgStore.createSession(session('child', { parentId: 'root' }))
    await pgStore.createSession(session('grandchild', { parentId: 'child' }))
    await pgStore.createSession(session('orphan', { parentId: 'missing' }))
    const rows = await db.query<{ id: string; root_id: string }>('select id, root_id from session order by id')
    t.same(rows, [
      { id: 'child', root_id: 'root' }, { id: 'grandchild', root_id: 'root' }, { id: 'orphan', root_id: 'missing' }, { id: 'root', root_id: 'root' },
    ])
    await pgStore.updateSession('orphan', { parentId: 'grandchild' })
    t.same(await db.query('select root_id from session where id = $1', ['orphan']), [{ root_id: 'root' }])
  })

  t.test('message_part rows carry the session id; seq is stored as last_seq', async (t) => {
    await pgStore.createSession(session('s1', { seq: 9 }))
    await pgStore.saveMessage(message('m1', 's1', 1, 2))
    t.same(await db.query('select distinct session_id from message_part'), [{ session_id: 's1' }])
    t.same(await db.query('select last_seq::int as last_seq, tool_set from session'), [{ last_seq: 9, tool_set: ['read_file', 'shell'] }])
  })

  t.test('durable: false writes commit without waiting for the WAL flush; the setting ends with its statement', async (t) => {
    await pgStore.createSession(session('s1'))
    const setting = `select current_setting('synchronous_commit') as value`
    const before = await db.query<{ value: string }>(setting)
    for (let i = 1; i <= 10; i++) {
      await pgStore.updateSession('s1', { status: i % 2 ? 'busy' : 'idle', seq: i, updatedAt: at(i) }, { durable: false })
      await pgStore.saveMessage(message(`m${i}`, 's1', i, 2), { durable: false })
    }
    t.match(await pgStore.getSession('s1'), { status: 'idle', seq: 10, updatedAt: at(10) }, 'the patches are stored')
    t.same((await pgStore.listMessages('s1')).map((m) => [m.id, m.parts.length]), Array.from({ length: 10 }, (_, i) => [`m${i + 1}`, 2]), 'the messages are stored and read back at once')
    // Enough reads at once to reach every connection of the pool the patches ran on.
    const after = await Promise.all(Array.from({ length: 12 }, () => db.query<{ value: string }>(setting)))
    t.same(new Set(after.map(([row]) => row.value)), new Set([before[0].value]), 'no connection kept synchronous_commit = off')
    await pgStore.updateSession('s1', { title: 'renamed', status: 'busy' })
    t.same(await db.query('select title, status from session'), [{ title: 'renamed', status: 'busy' }], 'a patch with other fields is stored too')
  })

  t.test('a NUL character in part data is stored as U+FFFD instead of failing the save', async (t) => {
    await pgStore.saveMessage({ ...message('m1', 's1', 1, 0), parts: [part('m1', 0, { text: 'a\u0000b', literal: '\\u0000' })] })
    t.same((await pgStore.listMessages('s1'))[0].parts[0].data, { text: 'a\ufffdb', literal: '\\u0000' })
  })

  t.test('saveMessage is atomic: a failing save changes nothing', async (t) => {
    const first = message('m1', 's1', 1, 2)
    await pgStore.saveMessage(first)
    const duplicateIds = { ...first, finish: 'stop' as const, parts: [part('m1', 0), { ...part('m1', 0), ordinal: 1 }] }
    await t.rejects(pgStore.saveMessage(duplicateIds))
    t.same(await pgStore.listMessages('s1'), [first])
  })

  t.test('one saveMessage with 3 parts (timing)', async (t) => {
    await pgStore.createSession(session('s1'))
    const rounds = 50
    const started = performance.now()
    for (let i = 0; i < rounds; i++) await pgStore.saveMessage({ ...message(`m${i}`, 's1', 1, 3) })
    const ms = (performance.now() - started) / rounds
    t.comment(`saveMessage with 3 parts on ${db.mode}: ${ms.toFixed(2)} ms (mean of ${rounds})`)
    t.equal((await pgStore.listMessages('s1')).length, rounds)
  })
})

t.test('the session engine runs a whole turn on this store', async (t) => {
  await truncate()
  const engine = booted.kernel.engine
  const created = await engine.createSession({ title: 'engine' })
  await engine.prompt(created.id, { text: 'hello there' })
  const deadline = Date.now() + 10_000
  let messages: protocol.MessageInfo[] = []
  let stored = await pgStore.getSession(created.id)
  while (Date.now() < deadline) {
    messages = await pgStore.listMessages(created.id)
    stored = await pgStore.getSession(created.id)
    if (stored?.status === 'idle' && messages.length === 2 && messages[1].completedAt) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.same(messages.map((m) => m.role), ['user', 'assistant'])
  t.same(messages[0].parts.map((p) => [p.kind, p.data.text]), [['text', 'hello there']])
  t.equal(messages[1].finish, 'stop')
  t.same(messages[1].parts.map((p) => p.kind), ['reasoning', 'text'])
  t.match(messages[1].parts[1].data.text, /Hello from the demo agent/)
  t.equal(stored?.status, 'idle')
  t.ok((stored?.seq ?? 0) > 0, 'the session keeps the sequence of its last event')
  t.same((await engine.getSession(created.id)).messages, messages)
})
