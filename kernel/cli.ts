import { parseArgs } from 'node:util'
import { locateConfigFile, loadConfigFile } from './config-file.js'
import { formatDescription } from './describe.js'
import { isPlatformError } from './errors.js'
import { Kernel } from './kernel.js'

const USAGE = `Usage: node --import tsx kernel/cli.ts <serve|describe> [--config <file>] [--host <host>] [--port <port>]
  serve      start the platform and serve the API until SIGINT/SIGTERM
  describe   boot, print the plugin tree (plugins, start times, hooks they tap), then stop`

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
  if (values.help || !['serve', 'describe'].includes(command)) {
    process.stdout.write(USAGE + '\n')
    process.exit(values.help ? 0 : 2)
  }
  if (values.host) process.env.HOST = values.host
  if (values.port) process.env.PORT = values.port
  if (command === 'describe') process.env.PORT ??= '0'

  const configFile = locateConfigFile(values.config)
  const config = await loadConfigFile(configFile)
  const kernel = await Kernel.boot({ config, configFile })

  if (command === 'describe') {
    process.stdout.write(formatDescription(kernel.describe()) + '\n')
    await kernel.close('describe done')
    process.exit(0)
  }

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

main().catch(fail)
