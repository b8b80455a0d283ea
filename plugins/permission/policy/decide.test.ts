import t from 'tap'
import type { ParsedCall } from '../../../kernel/index.js'
import { decideByRules, isEnvFile } from './decide.js'
import { matchesGlob } from './glob.js'

const call = (tool: string, subject: string): ParsedCall => ({ callId: 'c', tool, kind: 'read', args: {}, subject })

t.test('globs: path patterns stay within segments, ** crosses them; command patterns match anything', async (t) => {
  t.ok(matchesGlob('/w/src/a.ts', '/w/src/*.ts'))
  t.notOk(matchesGlob('/w/src/deep/a.ts', '/w/src/*.ts'))
  t.ok(matchesGlob('/w/src/deep/a.ts', '/w/src/**'))
  t.ok(matchesGlob('/w/.env', '**/.env'))
  t.ok(matchesGlob('.env', '**/.env'), '**/ also matches no directory')
  t.ok(matchesGlob('git status --short', 'git status*'))
  t.notOk(matchesGlob('git push', 'git status*'))
  t.ok(matchesGlob('read_file', 'read_*'))
  t.ok(matchesGlob('a+b(c).txt', 'a+b(c).txt'), 'regex characters are literal')
})

t.test('within one list the last matching rule wins', async (t) => {
  const rules = [
    { tool: 'run_command', action: 'ask' as const },
    { tool: 'run_command', match: 'git *', action: 'allow' as const },
    { tool: 'run_command', match: 'git push*', action: 'deny' as const },
  ]
  t.match(decideByRules(rules, call('run_command', 'git status'), 'project'), { action: 'allow', decidedBy: 'project', reason: 'project rule "run_command git *: allow"' })
  t.match(decideByRules(rules, call('run_command', 'git push origin'), 'project'), { action: 'deny' })
  t.match(decideByRules(rules, call('run_command', 'rm -rf /'), 'project'), { action: 'ask' })
  t.equal(decideByRules(rules, call('read_file', '/a'), 'project'), undefined, 'no match: undecided')
})

t.test('.env files are recognised; .env.example is not one', async (t) => {
  for (const path of ['/w/.env', '/w/app/.env.local', '.env.production']) t.ok(isEnvFile(path), path)
  for (const path of ['/w/.env.example', '/w/env.ts', '/w/.envrc.d/x', '/w/.environment']) t.notOk(isEnvFile(path), path)
})
