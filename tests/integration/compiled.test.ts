import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { compile, sourceFiles } from '../../kernel/build.js'

/** The compiled kernel (npm run build, npm start): plain node, no TypeScript loader, the config file still TypeScript. */
const ROOT = resolve(import.meta.dirname, '../..')
const outdir = join(ROOT, '.tap', `dist-compiled-test-${process.pid}`)
const work = mkdtempSync(join(tmpdir(), 'platform-compiled-'))
t.teardown(() => {
  rmSync(outdir, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, COMPILED_TEST_TOKEN: 'sesame' }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'NODE_OPTIONS']) delete e[name]
  return e
}

async function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(outdir, 'kernel', 'cli.js'), ...args], { cwd: work, env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, out, err }
}

t.before(async () => {
  const done = await compile({ outdir })
  t.equal(done.files, sourceFiles(ROOT).length)
})

t.test('every kernel and plugin source has a compiled twin; tests are left out', async (t) => {
  t.ok(existsSync(join(outdir, 'kernel', 'cli.js')))
  t.ok(existsSync(join(outdir, 'plugins', 'server', 'http', 'index.js')))
  t.notOk(readdirSync(join(outdir, 'kernel'), { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.test.js')))
  t.notOk(sourceFiles(ROOT).some((f) => f.endsWith('.test.ts')))
})

t.test('a TypeScript config with local imports, import.meta, env() secrets and a TypeScript plugin loads into the compiled kernel', async (t) => {
  mkdirSync(join(work, 'lib'), { recursive: true })
  writeFileSync(join(work, 'lib', 'names.ts'), `export const AGENT_NAME: string = 'Compiled'\n`)
  writeFileSync(join(work, 'marker-plugin.ts'), [
    `import { z } from 'zod'`,
    `import { definePlugin, secretSchema } from ${JSON.stringify(join(ROOT, 'kernel', 'index.ts'))}`,
    `export default definePlugin({`,
    `  name: 'test-marker', version: '1.0.0', description: 'marks the compiled run',`,
    `  configSchema: z.object({ token: secretSchema, where: z.string() }),`,
    `  register(ctx) {`,
    `    const options = ctx.options as { token: { reveal(): string }; where: string }`,
    `    ctx.registries.commands.add({ id: 'marker', description: 'prints what the plugin got', run: async (_args, io) => { io.out('token length ' + options.token.reveal().length + ' from ' + options.where); return 0 } })`,
    `  },`,
    `})`,
  ].join('\n'))
  writeFileSync(join(work, 'compiled.config.ts'), [
    `import { defineConfig, env } from '${join(ROOT, 'kernel', 'index.js')}'`,
    `import { AGENT_NAME } from './lib/names.js'`,
    `const here: string = import.meta.dirname`,
    `export default defineConfig({`,
    `  kernel: { dataDir: here + '/data', defaultAgent: 'a', agents: { a: { name: AGENT_NAME, provider: 'scripted', model: 'demo', systemPrompt: 'x' } } },`,
    `  plugins: { 'provider-scripted': true, 'test-marker': { resolve: './marker-plugin.ts', token: env('COMPILED_TEST_TOKEN'), where: here } },`,
    `})`,
  ].join('\n'))
  const marker = await run(['marker', '--config', 'compiled.config.ts'])
  t.equal(marker.code, 0, marker.err)
  t.equal(marker.out.trim(), `token length 6 from ${work}`, 'the secret is the kernel’s own Secret; import.meta is the config file’s')
  t.notMatch(marker.out + marker.err, /sesame/, 'the secret is not printed')
  const described = await run(['describe', '--config', 'compiled.config.ts'])
  t.equal(described.code, 0, described.err)
  t.match(described.out, /test-marker/)
  t.match(described.out, /provider-scripted/)
})

t.test('a config with a TypeScript error names the file and line, without a stack trace', async (t) => {
  writeFileSync(join(work, 'broken.config.ts'), `import { defineConfig } from '${join(ROOT, 'kernel', 'index.js')}'\nexport default defineConfig({ kernel: { dataDir: 'x' }, plugins: { \n`)
  const result = await run(['describe', '--config', 'broken.config.ts'])
  t.equal(result.code, 1)
  t.match(result.err, /^Cannot start: the config file .*broken\.config\.ts failed to load: .*broken\.config\.ts:\d+/)
  t.notMatch(result.err, /\n\s+at /)
})
