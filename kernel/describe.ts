import { redact } from './config.js'
import { listHooks } from './hooks/index.js'
import type { Kernel } from './kernel.js'

export interface KernelDescription {
  version: string
  state: string
  bootMs: number
  plugins: Array<{
    id: string
    version?: string
    state: string
    dependsOn: string[]
    optionalDependsOn: string[]
    options: unknown
    startMs?: number
    warmupMs?: number
    warmupError?: string
    hooks: string[]
  }>
  hooks: Array<{ hook: string; taps: Array<{ plugin: string; stage: number; type: string }> }>
  registries: Record<string, string[]>
  services: Array<{ key: string; owner: string; lifetime: string }>
  ports: Record<string, string>
}

/** A plain-data picture of the running kernel; options are redacted. */
export function describeKernel(kernel: Kernel): KernelDescription {
  const hooks = listHooks(kernel.hooks).map(([hook, h]) => ({
    hook,
    taps: h.taps.map((t) => ({ plugin: t.name, stage: t.stage ?? 0, type: t.type })),
  }))
  const plugins = kernel.plugins.map((info) => ({
    id: info.plugin.id,
    version: info.plugin.definition.version,
    state: info.state,
    dependsOn: info.plugin.definition.dependsOn ?? [],
    optionalDependsOn: info.plugin.definition.optionalDependsOn ?? [],
    options: redact(info.plugin.options),
    startMs: info.startMs,
    warmupMs: info.warmupMs,
    warmupError: info.warmupError,
    // Every tap, so a plugin tapping one hook at several stages shows each stage.
    hooks: hooks.flatMap((h) => h.taps.filter((t) => t.plugin === info.plugin.id).map((t) => (t.stage === 0 ? h.hook : `${h.hook}@${t.stage}`))),
  }))
  const ports: Record<string, string> = {}
  for (const port of ['sessionStore', 'eventBus', 'locks', 'kv', 'scheduler', 'credentialStore']) ports[port] = kernel.replacedPorts.get(port) ?? 'kernel (in-memory)'
  return {
    version: kernel.version,
    state: kernel.state,
    bootMs: kernel.bootMs,
    plugins,
    hooks: hooks.filter((h) => h.taps.length > 0),
    registries: Object.fromEntries(Object.entries(kernel.registries).map(([name, r]) => [name, r.ids()])),
    services: [...kernel.ownership.owner.entries()].map(([key, v]) => ({ key, owner: v.plugin, lifetime: v.lifetime })),
    ports,
  }
}

/** The description as an indented tree for terminals. */
export function formatDescription(d: KernelDescription): string {
  const lines = [`agent-platform ${d.version} (${d.state}, boot ${d.bootMs} ms)`, 'plugins']
  d.plugins.forEach((p, i) => {
    const last = i === d.plugins.length - 1
    const branch = last ? '└─' : '├─'
    const pad = last ? '   ' : '│  '
    const timing = [p.startMs !== undefined ? `start ${p.startMs} ms` : null, p.warmupMs !== undefined ? `warmup ${p.warmupMs} ms` : null].filter(Boolean).join(', ')
    lines.push(`${branch} ${p.id}${p.version ? `@${p.version}` : ''} [${p.state}]${timing ? ` ${timing}` : ''}`)
    if (p.dependsOn.length) lines.push(`${pad} depends on: ${p.dependsOn.join(', ')}`)
    if (p.hooks.length) lines.push(`${pad} taps: ${p.hooks.join(', ')}`)
    const options = JSON.stringify(p.options)
    if (options && options !== '{}') lines.push(`${pad} options: ${options}`)
    if (p.warmupError) lines.push(`${pad} warmup error: ${p.warmupError}`)
  })
  lines.push('ports')
  for (const [port, owner] of Object.entries(d.ports)) lines.push(`   ${port}: ${owner}`)
  lines.push('registries')
  for (const [name, ids] of Object.entries(d.registries)) lines.push(`   ${name}: ${ids.length ? ids.join(', ') : '(empty)'}`)
  return lines.join('\n')
}
