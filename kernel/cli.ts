import { parseArgs } from 'node:util'
import { locateConfigFile, loadConfigFile } from './config-file.js'
import { formatDescription } from './describe.js'
import { isPlatformError } from './errors.js'
import { Kernel } from './kernel.js'

const USAGE = `Usage: node dist/kernel/cli.js (compiled, npm run build) or node --import tsx kernel/cli.ts <command> [args] [--config <file>] [--host <host>] [--port <port>]
  serve      start the platform and serve the API until SIGINT/SIGTERM
  describe   boot, print the plugin tree (plugins, start times, hooks they tap), then stop
  <other>    a command contributed by an enabled plugin (boots, runs it, stops); \`help\` lists them`

function fail(error: unknown): never {
  const message = isPlatformError(error) || !(error instanceof Error) ? String((error as Error).message ?? error) : `Cannot start: ${error.message}`
  process.stderr.write(message.replace(/\s*\n\s*/g, ' ') + '\n')
  if (process.env.PLATFORM_DEBUG && error instanceof Error) process.stderr.write(String(error.stack) + '\n')
  process.exit(1)
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const command = positionals[0] ?? 'serve'
  if (values.help) {
    process.stdout.write(USAGE + '\n')
    process.exit(0)
  }
  if (values.host) process.env.HOST = values.host
  if (values.port) process.env.PORT = values.port
  // One-shot commands must not take the server's port.
  if (command !== 'serve' && !values.port) process.env.PORT = '0'

  const configFile = locateConfigFile(values.config)
  const config = await loadConfigFile(configFile)
  const kernel = await Kernel.boot({ config, configFile })

  if (command === 'describe') {
    process.stdout.write(formatDescription(kernel.describe()) + '\n')
    await kernel.close('describe done')
    process.exit(0)
  }
  if (command !== 'serve') await runCommand(kernel, command, positionals.slice(1))

  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1
    if (signals > 1) {
      process.stderr.write(`Second ${signal}: exiting now.\n`)
      process.exit(1)
    }
    void kernel.close(signal).then(() => process.exit(0))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.stdout.write(`agent-platform ${kernel.version} ready in ${kernel.bootMs} ms${kernel.addresses.length ? ` at ${kernel.addresses.join(', ')}` : ''}\n`)
}

/** Run a plugin-contributed command, then stop; unknown commands list the available ones. */
async function runCommand(kernel: Kernel, id: string, args: string[]): Promise<never> {
  const found = kernel.registries.commands.get(id)
  let code = 2
  if (!found) {
    const list = kernel.registries.commands.list().map((c) => `  ${c.id.padEnd(10)} ${c.description}`)
    process.stdout.write(USAGE + '\n' + (list.length ? `Commands of the enabled plugins:\n${list.join('\n')}\n` : ''))
    code = id === 'help' ? 0 : 2
  } else {
    code = await found.run(args, { out: (line) => process.stdout.write(line + '\n') }).catch((error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`)
      return 1
    })
  }
  await kernel.close(`${id} done`)
  process.exit(code)
}

main().catch(fail)
