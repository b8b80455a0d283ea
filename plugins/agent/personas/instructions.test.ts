import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appendInstructions, createInstructionReader, shareBudget } from './instructions.js'

const NAMES = ['AGENTS.md', 'LLXPRT.md', 'GEMINI.md', 'CLAUDE.md']

function tree(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const base = mkdtempSync(join(tmpdir(), 'personas-instr-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(base, path, '..'), { recursive: true })
    if (path.endsWith('/')) mkdirSync(join(base, path), { recursive: true })
    else writeFileSync(join(base, path), text)
  }
  return base
}

t.test('workspace and its parents up to the git root, outermost first, each name in option order', async (t) => {
  const base = tree(t, {
    'AGENTS.md': 'outside the repository',
    'repo/.git/': '',
    'repo/AGENTS.md': 'repo rules',
    'repo/pkg/LLXPRT.md': 'package rules',
    'repo/pkg/app/CLAUDE.md': 'app claude',
    'repo/pkg/app/GEMINI.md': 'app gemini',
    'repo/pkg/app/EMPTY.md': '',
    'repo/pkg/app/AGENTS.md': '  \n',
  })
  const reader = createInstructionReader({ files: NAMES, maxBytes: 10_000 })
  const files = await reader.instructionsFor(join(base, 'repo/pkg/app'))
  t.same(
    files.map((f) => [f.label, f.text, f.truncated]),
    [
      ['../../AGENTS.md', 'repo rules', false],
      ['../LLXPRT.md', 'package rules', false],
      ['GEMINI.md', 'app gemini', false],
      ['CLAUDE.md', 'app claude', false],
    ],
    'the file above the .git folder is not read; a blank AGENTS.md is skipped',
  )
  t.equal(files[0].path, join(base, 'repo/AGENTS.md'))
  t.same(await createInstructionReader({ files: [], maxBytes: 10_000 }).instructionsFor(join(base, 'repo')), [], 'no names: nothing')
  const gone = await reader.instructionsFor(join(base, 'repo/pkg/app/gone'))
  t.same(gone.map((f) => f.label), ['../../../AGENTS.md', '../../LLXPRT.md', '../GEMINI.md', '../CLAUDE.md'], 'a missing workspace folder: its parents still count')
})

t.test('without .git the walk goes on to the filesystem root; a .git file (worktree) also stops it', async (t) => {
  const base = tree(t, { 'AGENTS.md': 'parent rules', 'ws/CLAUDE.md': 'ws rules', 'wt/.git': 'gitdir: /elsewhere', 'wt/sub/GEMINI.md': 'wt rules' })
  const reader = createInstructionReader({ files: NAMES, maxBytes: 10_000 })
  const inWs = await reader.instructionsFor(join(base, 'ws'))
  t.same(inWs.filter((f) => f.path.startsWith(base)).map((f) => f.label), ['../AGENTS.md', 'CLAUDE.md'])
  const inWorktree = await reader.instructionsFor(join(base, 'wt/sub'))
  t.same(inWorktree.map((f) => f.label), ['GEMINI.md'], 'the parent AGENTS.md is above the worktree root')
})

t.test('a symlinked name (AGENTS.md -> CLAUDE.md) is added once', async (t) => {
  const base = tree(t, { '.git/': '', 'CLAUDE.md': 'shared rules' })
  symlinkSync(join(base, 'CLAUDE.md'), join(base, 'AGENTS.md'))
  const files = await createInstructionReader({ files: NAMES, maxBytes: 10_000 }).instructionsFor(base)
  t.same(files.map((f) => [f.label, f.text]), [['AGENTS.md', 'shared rules']])
})

t.test('shareBudget: small files whole, the rest split evenly', async (t) => {
  t.same(shareBudget([{ size: 31 }, { size: 2000 }, { size: 18 }], 1024), [31, 975, 18])
  t.same(shareBudget([{ size: 100 }, { size: 100 }, { size: 120 }], 150), [50, 50, 50])
  t.same(shareBudget([{ size: 10 }, { size: 500 }, { size: 700 }], 400), [10, 195, 195])
  t.same(shareBudget([{ size: 5 }, { size: 6 }], 1000), [5, 6], 'under the cap: everything')
})

t.test('size cap: every file cut to its share, cut UTF-8 stays valid, markers say so', async (t) => {
  const base = tree(t, {
    '.git/': '',
    'AGENTS.md': 'o'.repeat(100),
    'mid/AGENTS.md': 'm'.repeat(100),
    'mid/ws/AGENTS.md': 'é'.repeat(60),
  })
  const files = await createInstructionReader({ files: NAMES, maxBytes: 151 }).instructionsFor(join(base, 'mid/ws'))
  t.same(files.map((f) => [f.label, f.size, f.text, f.truncated]), [
    ['../../AGENTS.md', 100, 'o'.repeat(50), true],
    ['../AGENTS.md', 100, 'm'.repeat(50), true],
    ['AGENTS.md', 120, 'é'.repeat(25), true],
  ], 'the 51st byte of the last file is half an é and is dropped')

  const system = appendInstructions('You are a test agent.', files)
  t.match(system, /^You are a test agent\.\n\n---\n\n# Project instructions\n\n/)
  t.match(system, `--- Context from: ../AGENTS.md ---\n${'m'.repeat(50)}\n[truncated: 50 of 100 bytes shown; the size cap for project instructions is instructionMaxBytes]\n--- End of Context from: ../AGENTS.md ---`)
  t.ok(system.endsWith(`--- Context from: AGENTS.md ---\n${'é'.repeat(25)}\n[truncated: 50 of 120 bytes shown; the size cap for project instructions is instructionMaxBytes]\n--- End of Context from: AGENTS.md ---`))
  const omitted = appendInstructions('', [{ path: '/x/AGENTS.md', label: 'AGENTS.md', size: 10, text: '', truncated: true }])
  t.match(omitted, /^# Project instructions\n/, 'an empty prompt gets no separator')
  t.match(omitted, '--- Context from: AGENTS.md ---\n[omitted: the size cap for project instructions (instructionMaxBytes) was reached]\n--- End of Context from: AGENTS.md ---')
  t.equal(appendInstructions('Same.', []), 'Same.', 'no files: the prompt is unchanged')
})

t.test('a cut in the middle of a multi-byte character is dropped', async (t) => {
  const base = tree(t, { '.git/': '', 'AGENTS.md': 'é'.repeat(10) })
  const [file] = await createInstructionReader({ files: NAMES, maxBytes: 256 }).instructionsFor(base)
  t.equal(file.text, 'é'.repeat(10))
  const small = tree(t, { '.git/': '', 'AGENTS.md': `${'a'.repeat(255)}é` })
  const [cut] = await createInstructionReader({ files: NAMES, maxBytes: 256 }).instructionsFor(small)
  t.same([cut.text, cut.truncated], ['a'.repeat(255), true])
})

t.test('a changed file is read again (cache keyed by mtime and size)', async (t) => {
  const base = tree(t, { '.git/': '', 'AGENTS.md': 'first version' })
  const reader = createInstructionReader({ files: NAMES, maxBytes: 10_000 })
  t.equal((await reader.instructionsFor(base))[0].text, 'first version')
  t.equal((await reader.instructionsFor(base))[0].text, 'first version', 'unchanged: same text')
  writeFileSync(join(base, 'AGENTS.md'), 'second, longer version')
  t.equal((await reader.instructionsFor(base))[0].text, 'second, longer version')
  writeFileSync(join(base, 'AGENTS.md'), 'SECOND, LONGER VERSION')
  utimesSync(join(base, 'AGENTS.md'), new Date(Date.now() + 5000), new Date(Date.now() + 5000))
  t.equal((await reader.instructionsFor(base))[0].text, 'SECOND, LONGER VERSION', 'same size, new mtime: read again')
  rmSync(join(base, 'AGENTS.md'))
  t.same(await reader.instructionsFor(base), [], 'a removed file is gone')
})
