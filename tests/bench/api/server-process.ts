/** The platform server as its own process for the bench (so its CPU and RSS are its own). */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../../..')

export interface ServerProcess {
  url: string
  pid: number
  /** Resident memory in MiB, from /proc. */
  rssMiB(): number
  /** User + system CPU time in ms, from /proc. */
  cpuMs(): number
  stop(): Promise<void>
}

/**
 * Start the server: compiled (`npm run build`'s dist/, plain node, as `npm start` runs it) unless `source` is set,
 * then from the TypeScript sources through tsx (as `npm run dev` runs it).
 */
export async function startServer(options: { work: string; modelUrl: string; database?: string; redis?: string; schema: string; keyPrefix: string; source?: boolean }): Promise<ServerProcess> {
  const workspace = join(options.work, 'ws')
  mkdirSync(workspace, { recursive: true })
  writeFileSync(join(workspace, 'a.txt'), 'a\n')
  const plugins: Record<string, unknown> = {
    'persistence-postgres': options.database ? { url: '__DB__', schema: options.schema } : { embeddedDir: join(options.work, 'pglite') },
    'realtime-redis': options.redis ? { url: '__REDIS__', keyPrefix: options.keyPrefix } : false,
    'jobs-agenda': true,
    'server-http': { port: 0, host: '127.0.0.1' },
    'provider-openai': { providers: [] },
    'provider-openai-compatible': { endpoints: { qwen: false, bench: { baseUrl: options.modelUrl, models: ['bench-model'] } } },
    'tool-fs': true,
    'permission-policy': { rules: [{ tool: '*', action: 'allow' }] },
  }
  const config = {
    kernel: {
      dataDir: join(options.work, 'data'), workspaceRoots: [options.work], logLevel: 'warn', defaultAgent: 'bench', autoTitle: false,
      agents: { bench: { provider: 'bench', model: 'bench-model', systemPrompt: 'Bench.', tools: ['list_dir'] } },
      limits: { eventRetention: 100_000 },
    },
    plugins,
  }
  const source = JSON.stringify(config, null, 2).replace('"__DB__"', "env('BENCH_DATABASE_URL')").replace('"__REDIS__"', "env('BENCH_REDIS_URL')")
  const file = join(options.work, 'bench.config.ts')
  writeFileSync(file, `import { defineConfig, env } from ${JSON.stringify(join(ROOT, 'kernel', 'index.ts'))}\nexport default defineConfig(${source})\n`)
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATABASE_URL: options.database ?? '', BENCH_REDIS_URL: options.redis ?? '' }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL ?? 1000}`] : []
  const entry = options.source ? ['--import', 'tsx', join(ROOT, 'kernel', 'cli.ts')] : [join(ROOT, 'dist', 'kernel', 'cli.js')]
  const child: ChildProcess = spawn(process.execPath, [...profile, ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...entry, 'serve', '--config', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const started = Date.now()
  while (!/ready in \d+ ms at (http:\/\/\S+)/.test(out)) {
    if (child.exitCode !== null || Date.now() - started > 90_000) throw new Error(`the server did not start: ${err.slice(-2000)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const url = /ready in \d+ ms at (http:\/\/\S+)/.exec(out)![1].replace(/,$/, '')
  const pid = child.pid!
  const ticks = 100
  return {
    url,
    pid,
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
    cpuMs: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks
    },
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await exited
    },
  }
}
