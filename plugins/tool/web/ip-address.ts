import { isIPv4, isIPv6 } from 'node:net'

/** An IP address as a number: 32 bits for IPv4, 128 bits for IPv6. */
export interface IpValue {
  family: 4 | 6
  value: bigint
}

/** Why an address is refused: a short class name and a phrase for error messages. */
export interface AddressClass {
  kind: 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'cgnat' | 'multicast' | 'reserved'
  label: string
}

interface Range {
  base: bigint
  prefix: number
  cls: AddressClass
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function parseIPv6(text: string): bigint {
  let body = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)
  if (tail) {
    const v4 = parseIPv4(tail[1])
    body = body.slice(0, tail.index) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head, rest] = body.split('::')
  const headGroups = head ? head.split(':') : []
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : []
  const missing = 8 - headGroups.length - restGroups.length
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups]
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n)
}

/** Parses an IP literal (IPv6 may be bracketed or carry a zone); undefined when it is not one. */
export function parseIp(text: string): IpValue | undefined {
  const bare = text.replace(/^\[|\]$/g, '')
  if (isIPv4(bare)) return { family: 4, value: parseIPv4(bare) }
  if (isIPv6(bare)) return { family: 6, value: parseIPv6(bare) }
  return undefined
}

export function formatIp(ip: IpValue): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((shift) => Number((ip.value >> shift) & 0xffn)).join('.')
  const groups: string[] = []
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16))
  return groups.join(':')
}

/** Whether `ip` lies in `base/prefix` (same family). */
export function inRange(ip: IpValue, range: { family: 4 | 6; base: bigint; prefix: number }): boolean {
  if (ip.family !== range.family) return false
  const shift = BigInt((ip.family === 4 ? 32 : 128) - range.prefix)
  return ip.value >> shift === range.base >> shift
}

const v4 = (text: string, prefix: number, cls: AddressClass): Range => ({ base: parseIPv4(text), prefix, cls })
const v6 = (text: string, prefix: number, cls: AddressClass): Range => ({ base: parseIPv6(text), prefix, cls })

const LOOPBACK: AddressClass = { kind: 'loopback', label: 'a loopback address' }
const PRIVATE: AddressClass = { kind: 'private', label: 'a private network address' }
const LINK_LOCAL: AddressClass = { kind: 'link-local', label: 'a link-local address' }
const UNSPECIFIED: AddressClass = { kind: 'unspecified', label: 'an unspecified ("this host") address' }
const MULTICAST: AddressClass = { kind: 'multicast', label: 'a multicast address' }
const RESERVED: AddressClass = { kind: 'reserved', label: 'a reserved, non-public address' }

/** Checked in order: the first match wins, so narrower ranges come first. */
const IPV4_RANGES: Range[] = [
  v4('0.0.0.0', 8, UNSPECIFIED),
  v4('10.0.0.0', 8, PRIVATE),
  v4('100.64.0.0', 10, { kind: 'cgnat', label: 'a carrier-grade NAT (100.64.0.0/10) address' }),
  v4('127.0.0.0', 8, LOOPBACK),
  v4('169.254.169.254', 32, { kind: 'metadata', label: 'the cloud metadata address (link-local)' }),
  v4('169.254.0.0', 16, LINK_LOCAL),
  v4('172.16.0.0', 12, PRIVATE),
  v4('192.0.0.0', 24, RESERVED),
  v4('192.168.0.0', 16, PRIVATE),
  v4('198.18.0.0', 15, RESERVED),
  v4('224.0.0.0', 4, MULTICAST),
  v4('240.0.0.0', 4, RESERVED),
]

const IPV6_RANGES: Range[] = [
  v6('::', 128, UNSPECIFIED),
  v6('::1', 128, LOOPBACK),
  v6('64:ff9b:1::', 48, PRIVATE),
  v6('100::', 64, RESERVED),
  v6('fc00::', 7, { kind: 'private', label: 'a private (unique local, fc00::/7) address' }),
  v6('fe80::', 10, LINK_LOCAL),
  v6('fec0::', 10, PRIVATE),
  v6('ff00::', 8, MULTICAST),
]

/** IPv6 ranges that carry an IPv4 address; the embedded address decides. */
const EMBEDDING: Array<{ range: Range; name: string; extract: (value: bigint) => bigint }> = [
  { range: v6('::ffff:0:0', 96, RESERVED), name: 'IPv4-mapped IPv6 form', extract: (value) => value & 0xffffffffn },
  { range: v6('::', 96, RESERVED), name: 'IPv4-compatible IPv6 form', extract: (value) => value & 0xffffffffn },
  { range: v6('64:ff9b::', 96, RESERVED), name: 'NAT64 IPv6 form', extract: (value) => value & 0xffffffffn },
  { range: v6('2002::', 16, RESERVED), name: '6to4 IPv6 form', extract: (value) => (value >> 80n) & 0xffffffffn },
]

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIPv4(ip: IpValue): { ip: IpValue; name: string } | undefined {
  if (ip.family !== 6 || ip.value <= 1n) return undefined
  for (const { range, name, extract } of EMBEDDING) {
    if (inRange(ip, { family: 6, ...range })) return { ip: { family: 4, value: extract(ip.value) }, name }
  }
  return undefined
}

/** The class that makes an address unsafe to fetch from, or undefined for a public address. */
export function classifyIp(ip: IpValue): AddressClass | undefined {
  const ranges = ip.family === 4 ? IPV4_RANGES : IPV6_RANGES
  const direct = ranges.find((range) => inRange(ip, { family: ip.family, ...range }))
  if (direct) return direct.cls
  const embedded = embeddedIPv4(ip)
  if (!embedded) return undefined
  const inner = classifyIp(embedded.ip)
  if (!inner) return undefined
  return { kind: inner.kind, label: `the ${embedded.name} of ${formatIp(embedded.ip)}, ${inner.label}` }
}
