import t from 'tap'
import { AddressPolicy, parseAllowEntry } from './address-policy.js'
import { classifyIp, formatIp, parseIp } from './ip-address.js'

const kindOf = (address: string) => classifyIp(parseIp(address)!)?.kind

t.test('parses IPv4 and IPv6 literals, bracketed or with a zone', async (t) => {
  t.same(parseIp('127.0.0.1'), { family: 4, value: 0x7f000001n })
  t.equal(formatIp(parseIp('[::ffff:127.0.0.1]')!), '0:0:0:0:0:ffff:7f00:1')
  t.equal(formatIp(parseIp('fe80::1%eth0')!), 'fe80:0:0:0:0:0:0:1')
  t.equal(formatIp(parseIp('1:2:3:4:5:6:7:8')!), '1:2:3:4:5:6:7:8')
  t.equal(formatIp(parseIp('::')!), '0:0:0:0:0:0:0:0')
  t.equal(parseIp('example.com'), undefined)
  t.equal(parseIp('0177.0.0.1'), undefined, 'non-canonical forms are left to the URL parser')
})

t.test('classifies every internal IPv4 class', async (t) => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ]
  for (const [address, kind] of cases) t.equal(kindOf(address), kind, address)
})

t.test('classifies IPv6 classes and the IPv4 forms embedded in IPv6', async (t) => {
  const cases: Array<[string, string]> = [
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
  ]
  for (const [address, kind] of cases) t.equal(kindOf(address), kind, address)
  const label = classifyIp(parseIp('::ffff:127.0.0.1')!)!.label
  t.match(label, /IPv4-mapped IPv6 form of 127\.0\.0\.1, a loopback address/)
})

t.test('leaves public addresses alone, including the neighbours of blocked ranges', async (t) => {
  for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.255.0.1', '11.0.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', 'fbff::1', 'fec0::1'.replace('fec0', '2001:db9')]) {
    t.equal(kindOf(address), undefined, address)
  }
})

t.test('allowHosts entries: hostnames, wildcards, IPs and CIDR ranges; bad ones are explained', async (t) => {
  t.same(parseAllowEntry('Intranet.Example.').entry, { type: 'name', name: 'intranet.example', wildcard: false })
  t.same(parseAllowEntry('*.corp.example').entry, { type: 'name', name: 'corp.example', wildcard: true })
  t.same(parseAllowEntry('10.0.0.0/8').entry, { type: 'range', family: 4, base: 0x0a000000n, prefix: 8 })
  t.same(parseAllowEntry('::1').entry, { type: 'range', family: 6, base: 1n, prefix: 128 })
  t.match(parseAllowEntry('10.0.0.0/33').problem, /not a CIDR range/)
  t.match(parseAllowEntry('10.0.0/8').problem, /not a CIDR range/)
  t.match(parseAllowEntry('nope/8').problem, /not a hostname/)
  t.match(parseAllowEntry('http://x').problem, /not a hostname, IP address or CIDR range/)
})

t.test('the policy refuses internal addresses and names unless allowHosts lets them through', async (t) => {
  const closed = new AddressPolicy([])
  t.match(closed.checkAddress('127.0.0.1'), { kind: 'loopback', reason: /127\.0\.0\.1 is a loopback address/ })
  t.equal(closed.checkAddress('93.184.216.34'), undefined)
  t.match(closed.checkName('metadata.google.internal.'), { kind: 'metadata' })
  t.match(closed.checkName('METADATA'), { kind: 'metadata' })
  t.match(closed.checkName('db.prod.internal'), { kind: 'internal-name' })
  t.equal(closed.checkName('example.com'), undefined)

  const open = new AddressPolicy(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'intranet.example', '*.corp.internal'])
  t.equal(open.checkAddress('127.0.0.1'), undefined)
  t.equal(open.checkAddress('::ffff:127.0.0.1'), undefined, 'the mapped form of an allowed address is allowed')
  t.match(open.checkAddress('127.0.0.2'), { kind: 'loopback' }, 'only the listed address')
  t.equal(open.checkAddress('10.200.3.4'), undefined)
  t.equal(open.checkAddress('fd00::5'), undefined)
  t.match(open.checkAddress('fc00::5'), { kind: 'private' })
  t.match(open.checkAddress('169.254.169.254'), { kind: 'metadata' })
  t.ok(open.allowsName('intranet.example'))
  t.ok(open.allowsName('a.b.corp.internal'))
  t.notOk(open.allowsName('corp.internal'), 'a wildcard needs a subdomain')
  t.equal(open.checkName('api.corp.internal'), undefined)
})
