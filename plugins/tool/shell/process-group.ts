import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const POLL_MS = 50
/** After the shell exits, how long its output pipe may stay open before leftovers are looked for. */
const DRAIN_MS = 250
/** After the group is stopped, how long to wait for the pipe to close before giving up on it. */
const CLOSE_WAIT_MS = 1_000

export interface GroupRunOptions {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  killGraceMs: number
  signal: AbortSignal
  onOutput(chunk: Buffer): void
  /** Called once the process runs, with a function that stops its group as an abort (for shutdown). */
  onStart?(stop: () => Promise<void>): void
}

export interface GroupRunOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  aborted: boolean
  /** Processes of the group still running after the shell exited were stopped. */
  leftoversStopped: boolean
  /** How the group was stopped, if it was. */
  stoppedWith: 'SIGTERM' | 'SIGKILL' | null
  durationMs: number
}

/** Send a signal to every process in a group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * Whether the group has a process that is not a zombie. `kill(-pgid, 0)` alone also counts zombies
 * (orphans wait for init to reap them, which some container inits never do), so on Linux /proc is read.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return true
  }
  const group = String(pgid)
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (pgrp === group && state !== 'Z' && state !== 'X') return true
  }
  return false
}

/** SIGTERM to the group; SIGKILL after `graceMs` if any process is still alive. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<'SIGTERM' | 'SIGKILL' | null> {
  if (!signalGroup(pgid, 'SIGTERM')) return null
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())))
    if (!groupAlive(pgid)) return 'SIGTERM'
  }
  signalGroup(pgid, 'SIGKILL')
  return 'SIGKILL'
}

/** Whether `promise` settles within `ms` (the timer is cleared either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)))
  try {
    return await Promise.race([promise.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

function spawnGroup(o: GroupRunOptions): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.file, o.args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child.once('spawn', () => resolve(child))
    child.once('error', reject)
  })
}

/**
 * Run a command as the leader of a new process group, streaming its output; a timeout or abort
 * stops the whole group (SIGTERM, then SIGKILL after the grace), and so does the end of the
 * command when it left processes running. Rejects only when the process cannot be started.
 */
export async function runInGroup(o: GroupRunOptions): Promise<GroupRunOutcome> {
  const started = performance.now()
  const child = await spawnGroup(o)
  const pgid = child.pid!
  const state = { timedOut: false, aborted: false, leftoversStopped: false }
  let stopping: Promise<'SIGTERM' | 'SIGKILL' | null> | undefined
  const stop = () => (stopping ??= terminateGroup(pgid, o.killGraceMs))
  o.onStart?.(async () => {
    state.aborted = true
    await stop()
  })

  child.stdout!.on('data', o.onOutput)
  child.stderr!.on('data', o.onOutput)
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))

  const timer = setTimeout(() => {
    state.timedOut = true
    void stop()
  }, o.timeoutMs)
  const onAbort = () => {
    state.aborted = true
    void stop()
  }
  if (o.signal.aborted) onAbort()
  else o.signal.addEventListener('abort', onAbort, { once: true })

  try {
    const [exitCode, signal] = await exited
    clearTimeout(timer)
    await within(closed, DRAIN_MS)
    if (!stopping && groupAlive(pgid)) {
      state.leftoversStopped = true
      void stop()
    }
    const stoppedWith = stopping ? await stopping : null
    const drained = await within(closed, CLOSE_WAIT_MS)
    // A process that left the group (setsid) may still hold the pipe: stop reading it.
    if (!drained) for (const stream of [child.stdout, child.stderr]) stream?.destroy()
    return { exitCode, signal, ...state, stoppedWith, durationMs: Math.round(performance.now() - started) }
  } finally {
    clearTimeout(timer)
    o.signal.removeEventListener('abort', onAbort)
  }
}
