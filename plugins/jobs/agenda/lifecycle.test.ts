import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { JOBS_TEST_OPTIONS } from './test-support.js'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const here = (path: string) => JSON.stringify(pathToFileURL(fileURLToPath(new URL(path, import.meta.url))).href)

/** The child: boot, see maintenance run twice, close, print "closed"; then it must exit on its own. */
const CHILD = `
import { createTestKernel } from ${here('../../../kernel/testing/index.ts')}
import { MAINTENANCE_JOB } from ${here('./maintenance.ts')}
import { dropSchema, jobsPlugins, uniqueSchema, waitFor } from ${here('./test-support.ts')}
const schema = uniqueSchema()
const tk = await createTestKernel({ plugins: jobsPlugins(schema) })
await waitFor(() => tk.kernel.resolve('scheduler').runs(MAINTENANCE_JOB).length >= 2, 'two maintenance runs')
await tk.close()
await dropSchema(schema)
process.stdout.write('closed\\n')
`

t.test('after close, the process exits on its own promptly (no agenda timer or pool left)', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', CHILD], { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] })
  let closedAt = 0
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('closed')) closedAt = Date.now()
  })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const lingered = Date.now() - closedAt
  t.equal(code, 0, 'the child exited cleanly')
  t.ok(closedAt > 0, 'the child booted, saw maintenance run and closed')
  // agenda leaves one timer of half the lock lifetime (1 s here) after a job ran; nothing else.
  t.ok(lingered < JOBS_TEST_OPTIONS.lockLifetimeMs / 2 + 1_500, `exited ${lingered} ms after close`)
})

t.test('jobs-agenda cannot boot without persistence-postgres', async (t) => {
  const error = await createTestKernel({ plugins: { 'jobs-agenda': true } }).catch((e: unknown) => e)
  t.equal((error as { code?: string }).code, 'KERNEL_DEPENDENCY_MISSING')
})

t.test('processEveryMs must be a number of milliseconds', async (t) => {
  const error = await createTestKernel({ plugins: { 'persistence-postgres': { embeddedDir: 'memory://' }, 'jobs-agenda': { processEveryMs: '300 milliseconds' } } }).catch((e: unknown) => e)
  t.equal((error as { code?: string }).code, 'KERNEL_PLUGIN_OPTIONS_INVALID')
  t.match((error as Error).message, /plugins\.jobs-agenda\.processEveryMs/)
})
