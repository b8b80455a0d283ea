/**
 * The program the JavaScript child runs (never the server): `node <flags> runner.cjs <snippet file>
 * <work dir>`. It evaluates the snippet as a script with node:vm in its own context, then writes the
 * result as JSON to fd 3: the value of the global result when the snippet set it, else the value
 * of its last expression (awaited when it is a promise). Errors go to stderr without the runner's
 * own frames. Kept as a string (no backticks or dollar-brace inside) so it ships as source and no
 * test runner mistakes it for a test file; it is written into each call's temp dir.
 */
export const NODE_RUNNER_SOURCE = String.raw`'use strict'
const fs = require('node:fs')
const vm = require('node:vm')
const util = require('node:util')
const { createRequire } = require('node:module')

const FILENAME = 'snippet.js'
const [snippetPath, workDir] = process.argv.slice(2)
const code = fs.readFileSync(snippetPath, 'utf8')

// The permission model does not cover signals: stop the snippet from signalling other processes.
function killDisabled() {
  const error = new Error('process.kill is disabled in execute_code')
  error.code = 'ERR_ACCESS_DENIED'
  throw error
}
process.kill = killDisabled
delete process._kill
globalThis.require = createRequire(workDir + '/')

function describeError(error) {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return 'Uncaught ' + util.inspect(error)
  let stack = error.stack
  // Node prefixes the source line of the throw site; keep it only when that is the snippet.
  const arrow = /^([^\n]*):\d+\n[^\n]*\n[^\n]*\n\n/.exec(stack)
  if (arrow && arrow[1] !== FILENAME) stack = stack.slice(arrow[0].length)
  const lines = stack.split('\n').filter((line) => !/^\s+at /.test(line) || line.includes(FILENAME))
  const details = ['code', 'permission', 'resource'].filter((key) => typeof error[key] === 'string').map((key) => key + ': ' + error[key])
  if (details.length > 0) lines.push('  (' + details.join(', ') + ')')
  return lines.join('\n')
}

function failAndExit(error) {
  process.stderr.write(describeError(error) + '\n')
  process.exit(1)
}
process.on('uncaughtException', failAndExit)
process.on('unhandledRejection', failAndExit)

function compile() {
  try {
    return new vm.Script(code, { filename: FILENAME })
  } catch (error) {
    // Top-level await: run the snippet as an async function body (its last value is then lost).
    if (!(error instanceof SyntaxError) || !/await/.test(error.message)) throw error
    return new vm.Script('(async () => {' + code + '\n})()', { filename: FILENAME })
  }
}

function encode(value) {
  try {
    const json = JSON.stringify(value)
    if (json !== undefined) return json
  } catch {
    // Circular structures, BigInt: fall through to a readable string.
  }
  return JSON.stringify(util.inspect(value, { depth: 4 }))
}

async function main() {
  let value = compile().runInThisContext()
  if (value !== null && typeof value === 'object' && typeof value.then === 'function') value = await value
  const assigned = vm.runInThisContext('typeof result === "undefined" ? undefined : result')
  const chosen = assigned !== undefined ? assigned : value
  if (chosen !== undefined) fs.writeSync(3, encode(chosen))
}

main().catch(failAndExit)
`
