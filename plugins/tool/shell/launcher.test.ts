import t from 'tap'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectLauncher, findShell, launchArgs } from './launcher.js'
import { shellFixture } from './test-support.js'

t.test('the shell is the configured one, else bash from PATH, else sh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tool-shell-path-'))
  const savedPath = process.env.PATH
  t.teardown(() => {
    process.env.PATH = savedPath
    rmSync(dir, { recursive: true, force: true })
  })
  symlinkSync('/bin/sh', join(dir, 'sh'))
  process.env.PATH = dir
  t.equal(findShell(), join(dir, 'sh'), 'no bash on PATH: sh')
  symlinkSync(findShellIn(savedPath), join(dir, 'bash'))
  t.equal(findShell(), join(dir, 'bash'), 'bash when present')
  t.equal(findShell('/opt/my/zsh'), '/opt/my/zsh', 'the option wins')
})

function findShellIn(path: string | undefined): string {
  const saved = process.env.PATH
  process.env.PATH = path
  try {
    return findShell()
  } finally {
    process.env.PATH = saved
  }
}

t.test('the command is one argument of a shell that merges stderr into stdout', async (t) => {
  const plain = launchArgs({ shell: '/bin/bash', isolation: null, networkIsolated: false }, 'echo "$HOME" | wc')
  t.same(plain, { file: '/bin/bash', args: ['-c', 'exec 2>&1; exec "$0" -c "$1"', '/bin/bash', 'echo "$HOME" | wc'] })
  const isolated = launchArgs({ shell: '/bin/bash', isolation: ['/usr/bin/unshare', '--net'], networkIsolated: true }, 'ls')
  t.same(isolated, { file: '/usr/bin/unshare', args: ['--net', '--', '/bin/bash', '-c', 'exec 2>&1; exec "$0" -c "$1"', '/bin/bash', 'ls'] })
})

t.test('allowNetwork: false cuts commands off the network when a namespace can be made, else is advisory', async (t) => {
  const server = createServer((socket) => socket.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected || echo refused`

  const open = shellFixture()
  t.teardown(open.cleanup)
  t.match((await open.run({ command: probe })).output, /\nconnected\n$/, 'network allowed by default')
  t.equal((await open.shell.launcher()).isolation, null)

  const closed = shellFixture({ allowNetwork: false })
  t.teardown(closed.cleanup)
  const launcher = await closed.shell.launcher()
  t.same(launcher, await detectLauncher({ allowNetwork: false }), 'the service probes like detectLauncher')
  const result = await closed.run({ command: probe })
  if (launcher.networkIsolated) {
    t.match(result.output, /\nrefused\n$/, `isolated with ${launcher.isolation!.join(' ')}`)
    t.match((await closed.run({ command: 'pwd -P' })).output, closed.workdir, 'still in the workspace')
  } else {
    t.match(result.output, /\nconnected\n$/, 'no unshare here: the setting is advisory')
  }
})
