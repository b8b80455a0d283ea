import pg from 'pg'
import t from 'tap'
import { silentLogger } from '../../../kernel/testing/index.js'
import { startEmbedded } from './embedded.js'

/** The embedded database's in-process connection: the socket server's protocol and query queue without a socket. */

t.test('an in-process connection is a full client: its transaction holds back a TCP client until it ends', async (t) => {
  const db = await startEmbedded({ dir: 'memory://', maxConnections: 4, logger: silentLogger })
  t.teardown(() => db.close())
  const inside = new pg.Client({ connectionString: db.url, stream: db.connectInProcess })
  const outside = new pg.Client({ connectionString: db.url })
  await inside.connect()
  await outside.connect()
  t.teardown(async () => {
    await inside.end()
    await outside.end()
  })
  await inside.query('create table note (id int primary key)')
  await inside.query('begin')
  await inside.query('insert into note values (1)')
  // Queued behind the open transaction; run inside it (one PGlite session), it would see the uncommitted row.
  const counted = outside.query<{ n: number }>('select count(*)::int as n from note')
  await new Promise((r) => setTimeout(r, 50))
  await inside.query('rollback')
  t.same((await counted).rows, [{ n: 0 }], 'the TCP client ran after the rollback, not inside the transaction')
  t.same((await inside.query('select 41 + 1 as answer')).rows, [{ answer: 42 }], 'the in-process connection goes on')
})

t.test('an in-process connection to a stopped database fails with a clear error', async (t) => {
  const db = await startEmbedded({ dir: 'memory://', maxConnections: 4, logger: silentLogger })
  await db.close()
  const client = new pg.Client({ connectionString: db.url, stream: db.connectInProcess })
  await t.rejects(client.connect(), /the embedded database is not listening/)
})
