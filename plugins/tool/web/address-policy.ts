import { classifyIp, embeddedIPv4, inRange, parseIp, type AddressClass, type IpValue } from './ip-address.js'

/** One `allowHosts` entry: a hostname pattern or an IP range. */
export type AllowEntry =
  | { type: 'name'; name: string; wildcard: boolean }
  | { type: 'range'; family: 4 | 6; base: bigint; prefix: number }

/** Names of cloud metadata services, refused before any DNS lookup. */
const METADATA_NAMES = new Set(['metadata', 'metadata.goog', 'metadata.google.internal', 'instance-data', 'metadata.azure.internal'])

/** Lower case, no brackets, no trailing dot: the form every check compares. */
export function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
}

/** Parses an `allowHosts` entry; `problem` explains a malformed one (used by the config schema). */
export function parseAllowEntry(entry: string): { entry?: AllowEntry; problem?: string } {
  const text = entry.trim()
  const slash = text.indexOf('/')
  if (slash >= 0 && /^(?:[\d.]+|[\da-f.]*:[\da-f:.]*)$/i.test(text.slice(0, slash))) {
    const ip = parseIp(text.slice(0, slash))
    const prefix = Number(text.slice(slash + 1))
    const bits = ip?.family === 4 ? 32 : 128
    if (!ip || !/^\d+$/.test(text.slice(slash + 1)) || prefix > bits) {
      return { problem: `"${entry}" is not a CIDR range; write it like 10.0.0.0/8 or fd00::/8.` }
    }
    return { entry: { type: 'range', family: ip.family, base: ip.value, prefix } }
  }
  const ip = parseIp(text)
  if (ip) return { entry: { type: 'range', family: ip.family, base: ip.value, prefix: ip.family === 4 ? 32 : 128 } }
  const name = normalizeHost(text)
  const wildcard = name.startsWith('*.')
  const bare = wildcard ? name.slice(2) : name
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(bare)) {
    return { problem: `"${entry}" is not a hostname, IP address or CIDR range (examples: intranet.example, *.corp.example, 127.0.0.1, 10.0.0.0/8).` }
  }
  return { entry: { type: 'name', name: bare, wildcard } }
}

/** A refusal: what was refused and why, phrased for the model. */
export interface Refusal {
  kind: AddressClass['kind'] | 'internal-name'
  /** A sentence fragment: "10.0.0.1 is a private network address". */
  reason: string
  /** For addresses: the class alone ("a private network address"). */
  label?: string
}

/** Decides which hosts and addresses a fetch may reach. */
export class AddressPolicy {
  private readonly names: Array<Extract<AllowEntry, { type: 'name' }>> = []
  private readonly ranges: Array<Extract<AllowEntry, { type: 'range' }>> = []

  constructor(allowHosts: readonly string[]) {
    for (const text of allowHosts) {
      const { entry } = parseAllowEntry(text)
      if (entry?.type === 'name') this.names.push(entry)
      else if (entry) this.ranges.push(entry)
    }
  }

  /** Whether the hostname itself is in `allowHosts` (then every address it resolves to is allowed). */
  allowsName(host: string): boolean {
    const name = normalizeHost(host)
    return this.names.some((entry) => (entry.wildcard ? name.endsWith(`.${entry.name}`) : name === entry.name))
  }

  /** A refusal for a hostname that names an internal service, checked before DNS. */
  checkName(host: string): Refusal | undefined {
    const name = normalizeHost(host)
    if (this.allowsName(name)) return undefined
    if (METADATA_NAMES.has(name)) return { kind: 'metadata', reason: `"${name}" is a cloud metadata service name` }
    if (name.endsWith('.internal')) return { kind: 'internal-name', reason: `"${name}" is an internal-only name (.internal)` }
    return undefined
  }

  /** A refusal for an address that is loopback, private, link-local, ... and not allowed by `allowHosts`. */
  checkAddress(address: string): Refusal | undefined {
    const ip = parseIp(address)
    if (!ip) return { kind: 'reserved', reason: `"${address}" is not an IP address` }
    if (this.allowsIp(ip)) return undefined
    const cls = classifyIp(ip)
    if (!cls) return undefined
    return { kind: cls.kind, reason: `${address} is ${cls.label}`, label: cls.label }
  }

  private allowsIp(ip: IpValue): boolean {
    const candidates = [ip]
    const embedded = embeddedIPv4(ip)
    if (embedded) candidates.push(embedded.ip)
    return candidates.some((candidate) => this.ranges.some((range) => inRange(candidate, range)))
  }
}
