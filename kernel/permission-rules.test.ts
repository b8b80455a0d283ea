import t from 'tap'
import { decideByRules, escapeGlob, matchesGlob } from './permission-rules.js'

const call = (tool: string, subject: string) => ({ tool, subject })

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

t.test('a backslash makes the next character literal; escapeGlob matches exactly the value', async (t) => {
  t.ok(matchesGlob('rm *.log', 'rm \\*.log'))
  t.notOk(matchesGlob('rm a.log', 'rm \\*.log'), 'an escaped star is not a wildcard')
  for (const value of ['git status --short', '/w/a*b?.txt', 'echo \\ back', 'ls [ab]*']) {
    t.ok(matchesGlob(value, escapeGlob(value)), value)
  }
  t.notOk(matchesGlob('/w/aXb?.txt', escapeGlob('/w/a*b?.txt')))
  t.notOk(matchesGlob('git status --short --long', escapeGlob('git status --short')))
})
