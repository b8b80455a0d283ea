import t from 'tap'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { createAgendaScheduler } from './agenda-scheduler.js'
import { configSchema } from './config.js'
import { openJobsDatabase } from './database.js'
import { MAINTENANCE_JOB } from './maintenance.js'
import { dropSchema, jobsPlugins, EXTERNAL_URL, uniqueSchema, waitFor } from './test-support.js'

/** One kernel (persistence-postgres + jobs-agenda) shared by the tests of this file. */
const schema = uniqueSchema()
let tk: TestKernel
t.before(async () => {
  tk = await createTestKernel({ plugins: jobsPlugins(schema) })
})
t.teardown(async () => {
  await tk?.close()
  await dropSchema(schema)
})

const persistence = () => tk.kernel.resolve('persistencePostgres')
const count = async (sql: string, params: unknown[] = []) => Number((await persistence().query<{ n: number }>(sql, params))[0].n)

t.test('platform.maintenance runs periodically on agenda, with its table in the persistence schema', async (t) => {
  t.equal(tk.kernel.replacedPorts.get('scheduler'), 'jobs-agenda')
  const scheduler = tk.kernel.resolve('scheduler')
  await waitFor(() => scheduler.runs(MAINTENANCE_JOB).length >= 2, 'two maintenance runs')
  const [first, second] = scheduler.runs(MAINTENANCE_JOB)
  t.ok(second > first, 'runs are recorded newest last')
  const report = tk.kernel.resolve('jobsAgenda').lastMaintenance()
  t.ok(report, 'the job reports what it did')
  t.ok((report?.jobs.total ?? 0) >= 1, 'it counted the queue')
  t.equal(report?.purged, 0, 'nothing old to purge')
  const where = persistence().schema
  t.equal(await count(`select count(*)::int as n from information_schema.tables where table_schema = $1 and table_name = 'agenda_jobs'`, [where]), 1, `agenda_jobs is in schema ${where}`)
  t.equal(await count(`select count(*)::int as n from agenda_jobs where name = $1`, [MAINTENANCE_JOB]), 1, 'one row for the periodic job (once across instances)')
})

t.test('now() runs a defined job once, with its data; the finished job row is removed', async (t) => {
  const scheduler = tk.kernel.resolve('scheduler')
  const seen: Record<string, unknown>[] = []
  scheduler.define({ name: 'test.once', run: async (data) => void seen.push(data) })
  await scheduler.now('test.once', { n: 1 })
  await waitFor(() => seen.length === 1, 'the job to run')
  t.same(seen, [{ n: 1 }])
  const maintenanceRuns = scheduler.runs(MAINTENANCE_JOB).length
  await waitFor(() => scheduler.runs(MAINTENANCE_JOB).length >= maintenanceRuns + 2, 'two more polling rounds')
  t.equal(seen.length, 1, 'it ran once')
  t.equal(scheduler.runs('test.once').length, 1)
  await waitFor(async () => (await count(`select count(*)::int as n from agenda_jobs where name = 'test.once'`)) === 0, 'the one-time job row to go')
})

t.test('a failing job is logged and not counted as a run', async (t) => {
  const scheduler = tk.kernel.resolve('scheduler')
  let attempts = 0
  scheduler.define({
    name: 'test.fails',
    run: async () => {
      attempts++
      throw new Error('boom')
    },
  })
  await scheduler.now('test.fails')
  await waitFor(() => tk.logLines.some((line) => line.includes('job test.fails failed') && line.includes('boom')), 'the failure log line')
  t.equal(attempts, 1)
  t.same(scheduler.runs('test.fails'), [])
})

t.test('scheduling an undefined job is a clear error', async (t) => {
  const error = await tk.kernel.resolve('scheduler').now('test.missing').catch((e: unknown) => e)
  t.equal((error as { code?: string }).code, 'JOBS_AGENDA_JOB_UNDEFINED')
})

if (EXTERNAL_URL) {
  t.test('real PostgreSQL: LISTEN/NOTIFY picks a job up before the next poll', async (t) => {
    t.equal(tk.kernel.resolve('jobsAgenda').notifications, true)
    const slowSchema = uniqueSchema()
    // Poll every 4 s (agenda keeps a timer of half the poll interval after a run, so not longer).
    const slow = await createTestKernel({ plugins: jobsPlugins(slowSchema, { processEveryMs: 4_000, maintenanceEveryMs: 600_000, lockLifetimeMs: 2_000 }) })
    t.teardown(async () => {
      await slow.close()
      await dropSchema(slowSchema)
    })
    const scheduler = slow.kernel.resolve('scheduler')
    let ran = 0
    scheduler.define({ name: 'test.notified', run: async () => void ran++ })
    const started = Date.now()
    await scheduler.now('test.notified')
    await waitFor(() => ran === 1, 'the notified job', 3_000)
    t.ok(Date.now() - started < 3_000, `picked up in ${Date.now() - started} ms, before the next 4 s poll`)
  })
} else {
  t.test('embedded database: polling only (LISTEN/NOTIFY is misrouted through the socket)', async (t) => {
    t.equal(tk.kernel.resolve('jobsAgenda').notifications, false)
    t.equal(persistence().mode, 'embedded')
  })
}

t.test('define/every before start are applied at start; calls after stop are refused', async (t) => {
  const options = configSchema.parse({ processEveryMs: 200, lockLifetimeMs: 2_000 })
  const scheduler = createAgendaScheduler({ options, logger: tk.logger })
  let runs = 0
  scheduler.define({ name: 'test.early', run: async () => void runs++ })
  await scheduler.every('test.early', 250)
  const db = await openJobsDatabase({ connectionString: persistence().connectionString(), schema: persistence().schema, notifications: false, logger: tk.logger })
  t.teardown(() => db.close())
  await scheduler.start(db)
  await waitFor(() => runs >= 2, 'the early periodic job')
  t.equal(scheduler.runs('test.early').length, runs)
  await scheduler.stop()
  const error = await scheduler.now('test.early').catch((e: unknown) => e)
  t.equal((error as { code?: string }).code, 'JOBS_AGENDA_STOPPED')
})
