import t from 'tap'
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileHistory } from './file-history.js'

/** A fresh work folder (the files tools change) and history folder (the snapshots), removed afterwards. */
async function setup(t: Tap.Test): Promise<{ work: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'file-history-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'work'))
  return { work: join(root, 'work'), dir: join(root, 'history') }
}
declare namespace Tap {
  type Test = import('tap').Test
}

const text = (file: string) => readFile(file, 'utf8')
const blobs = async (dir: string, sessionId: string) => (await readdir(join(dir, sessionId, 'blobs')).catch(() => [])).length

t.test('record and revert: an edited file gets its content back, a created one is removed', async (t) => {
  const { work, dir } = await setup(t)
  const edited = join(work, 'edited.txt')
  const created = join(work, 'sub', 'created.txt')
  await writeFile(edited, 'original')
  const history = new FileHistory({ dir })

  // Record, then let the "tool" change the files (the created one in a folder that did not exist).
  await history.record('s1', 't1', edited)
  await history.record('s1', 't1', created)
  await writeFile(edited, 'changed by t1')
  await mkdir(join(work, 'sub'))
  await writeFile(created, 'new in t1')
  t.same(await history.turns('s1'), ['t1'])

  const result = await history.revert('s1', 't1')
  t.same(result, { restored: [edited], removed: [created] })
  t.equal(await text(edited), 'original')
  t.notOk(existsSync(created), 'the file the turn created is gone')
  t.same(await history.turns('s1'), [], 'reverted entries are dropped')
  t.same(await history.revert('s1', 't1'), { restored: [], removed: [] }, 'a second revert has nothing left to do')
})

t.test('the first record of a path in a turn wins; two turns on one file restore the earliest content', async (t) => {
  const { work, dir } = await setup(t)
  const file = join(work, 'a.txt')
  await writeFile(file, 'v0')
  const history = new FileHistory({ dir })

  await history.record('s1', 't1', file)
  await writeFile(file, 'v1')
  await history.record('s1', 't1', file) // same turn again: must keep v0, not v1
  t.equal(await blobs(dir, 's1'), 1, 'a repeat in the same turn stores nothing')
  await writeFile(file, 'v1b')
  await history.record('s1', 't2', file)
  await writeFile(file, 'v2')

  t.same(await history.turns('s1'), ['t1', 't2'])
  const result = await history.revert('s1', 't1')
  t.same(result, { restored: [file], removed: [] }, 'each path is restored once')
  t.equal(await text(file), 'v0')
})

t.test('a file deleted then re-created in later turns: reverting the first turn brings the original back', async (t) => {
  const { work, dir } = await setup(t)
  const file = join(work, 'b.txt')
  await writeFile(file, 'original')
  const history = new FileHistory({ dir })

  await history.record('s1', 't1', file)
  await rm(file)
  await history.record('s1', 't2', file) // it does not exist now: recorded as absent
  await writeFile(file, 'recreated')

  // Reverting only t2 removes the re-created file (it did not exist before t2).
  t.same(await history.revert('s1', 't2'), { restored: [], removed: [file] })
  t.notOk(existsSync(file))
  // Reverting t1 brings the original back.
  t.same(await history.revert('s1', 't1'), { restored: [file], removed: [] })
  t.equal(await text(file), 'original')
})

t.test('reverting a middle turn undoes later turns too and keeps earlier ones', async (t) => {
  const { work, dir } = await setup(t)
  const a = join(work, 'a.txt')
  const b = join(work, 'b.txt')
  const c = join(work, 'c.txt')
  await writeFile(a, 'a0')
  await writeFile(b, 'b0')
  const history = new FileHistory({ dir })

  await history.record('s1', 't1', a)
  await writeFile(a, 'a1')
  await history.record('s1', 't2', b)
  await writeFile(b, 'b2')
  await history.record('s1', 't3', c)
  await writeFile(c, 'c3')

  const result = await history.revert('s1', 't2')
  t.same(result, { restored: [b], removed: [c] })
  t.equal(await text(a), 'a1', 't1 stays applied')
  t.equal(await text(b), 'b0')
  t.notOk(existsSync(c))
  t.same(await history.turns('s1'), ['t1'])
})

t.test('restart: a new instance on the same dir reverts what the first one recorded', async (t) => {
  const { work, dir } = await setup(t)
  const script = join(work, 'run.sh')
  const notes = join(work, 'notes.txt')
  const created = join(work, 'new.txt')
  await writeFile(script, '#!/bin/sh\necho hi\n')
  await chmod(script, 0o755)
  await writeFile(notes, 'notes v0')

  const first = new FileHistory({ dir })
  await first.record('s1', 't1', script)
  await first.record('s1', 't1', notes)
  await first.record('s1', 't2', created)
  await writeFile(script, 'broken')
  await chmod(script, 0o644)
  await writeFile(notes, 'notes v1')
  await writeFile(created, 'created')

  const second = new FileHistory({ dir })
  t.same(await second.turns('s1'), ['t1', 't2'])
  const result = await second.revert('s1', 't1')
  t.same(result.restored.sort(), [notes, script].sort())
  t.same(result.removed, [created])
  t.equal(await text(script), '#!/bin/sh\necho hi\n')
  t.equal((await stat(script)).mode & 0o777, 0o755, 'the executable bit is back')
  t.equal(await text(notes), 'notes v0')
  t.notOk(existsSync(created))

  const third = new FileHistory({ dir })
  t.same(await third.turns('s1'), [], 'the revert was made durable too')
})

t.test('identical content is stored once; dropped snapshots free their blobs', async (t) => {
  const { work, dir } = await setup(t)
  const x = join(work, 'x.txt')
  const y = join(work, 'y.txt')
  await writeFile(x, 'same')
  await writeFile(y, 'same')
  const history = new FileHistory({ dir })
  await history.record('s1', 't1', x)
  await history.record('s1', 't1', y)
  t.equal(await blobs(dir, 's1'), 1)
  await history.revert('s1', 't1')
  t.equal(await blobs(dir, 's1'), 0)
})

t.test('forget deletes a session and leaves the others', async (t) => {
  const { work, dir } = await setup(t)
  const file = join(work, 'f.txt')
  await writeFile(file, 'v0')
  const history = new FileHistory({ dir })
  await history.record('s1', 't1', file)
  await history.record('s2', 't1', file)
  await history.forget('s1')
  t.notOk(existsSync(join(dir, 's1')))
  t.same(await history.turns('s1'), [])
  t.same(await new FileHistory({ dir }).turns('s1'), [], 'also after a restart')
  t.same(await history.turns('s2'), ['t1'])
  await writeFile(file, 'v1')
  t.same(await history.revert('s1', 't1'), { restored: [], removed: [] })
  t.equal(await text(file), 'v1', 'a forgotten session restores nothing')
})

t.test('ids that are not a safe path segment are refused before any path is built', async (t) => {
  const { work, dir } = await setup(t)
  const history = new FileHistory({ dir })
  const file = join(work, 'f.txt')
  for (const bad of ['..', '../escape', 'a/b', 'a\\b', '', 'with space', '.hidden', 'x'.repeat(129)]) {
    await t.rejects(history.record(bad, 't1', file), { code: 'FILE_HISTORY_ID_INVALID', httpStatus: 400 }, `session ${JSON.stringify(bad)}`)
    await t.rejects(history.record('s1', bad, file), { code: 'FILE_HISTORY_ID_INVALID' }, `turn ${JSON.stringify(bad)}`)
    await t.rejects(history.revert(bad, 't1'), { code: 'FILE_HISTORY_ID_INVALID' })
    await t.rejects(history.revert('s1', bad), { code: 'FILE_HISTORY_ID_INVALID' })
    await t.rejects(history.forget(bad), { code: 'FILE_HISTORY_ID_INVALID' })
    await t.rejects(history.turns(bad), { code: 'FILE_HISTORY_ID_INVALID' })
  }
  t.notOk(existsSync(join(dir, '..', 'escape')))
  t.same(existsSync(dir) ? await readdir(dir) : [], [], 'nothing was written')
})

t.test('maxBytes: the oldest turns are dropped first, across sessions and restarts', async (t) => {
  const { work, dir } = await setup(t)
  const files = ['a', 'b', 'c', 'd'].map((name) => join(work, name))
  for (const [i, file] of files.entries()) await writeFile(file, String(i).repeat(40))

  const first = new FileHistory({ dir, maxBytes: 100 })
  await first.record('s1', 't1', files[0]) // 40 bytes
  await first.record('s2', 't1', files[1]) // 80
  // A restart in between: the new instance must count what is already on disk.
  const second = new FileHistory({ dir, maxBytes: 100 })
  await second.record('s1', 't2', files[2]) // 120 > 100: s1/t1 (the oldest) goes
  t.same(await second.turns('s1'), ['t2'])
  t.same(await second.turns('s2'), ['t1'])
  t.equal(await blobs(dir, 's1'), 1, 'its blob was deleted')

  await second.record('s2', 't2', files[3]) // 120 again: s2/t1 goes
  t.same(await second.turns('s2'), ['t2'])
  t.same(await second.turns('s1'), ['t2'])
  t.same(await new FileHistory({ dir }).turns('s2'), ['t2'], 'trimming is on disk')

  // What is left still reverts.
  await writeFile(files[2], 'changed')
  await second.revert('s1', 't2')
  t.equal(await text(files[2]), '2'.repeat(40))
})

t.test('a torn last index line (crash mid-append) is dropped and older entries survive', async (t) => {
  const { work, dir } = await setup(t)
  const file = join(work, 'f.txt')
  const later = join(work, 'later.txt')
  await writeFile(file, 'v0')
  await new FileHistory({ dir }).record('s1', 't1', file)
  await appendFile(join(dir, 's1', 'index.jsonl'), '{"turnId":"t2","path":')
  await writeFile(join(dir, 's1', 'blobs', 'leftover.tmp'), 'junk')

  const history = new FileHistory({ dir })
  t.same(await history.turns('s1'), ['t1'])
  t.same(await readdir(join(dir, 's1', 'blobs')).then((n) => n.filter((x) => x.endsWith('.tmp'))), [], 'orphans are removed')
  await history.record('s1', 't2', later) // appends after the repaired index
  await writeFile(file, 'v1')
  await writeFile(later, 'new')
  t.same(await new FileHistory({ dir }).turns('s1'), ['t1', 't2'])
  await history.revert('s1', 't1')
  t.equal(await text(file), 'v0')
  t.notOk(existsSync(later))
})

t.test('an invalid maxBytes is refused', async (t) => {
  const { dir } = await setup(t)
  t.throws(() => new FileHistory({ dir, maxBytes: 0 }), { code: 'FILE_HISTORY_OPTIONS_INVALID' })
})
