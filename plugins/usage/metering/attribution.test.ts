import t from 'tap'
import type { ModelRequest } from '../../../kernel/index.js'
import { attribute, promptSegments } from './attribution.js'
import { largestRemainder } from './largest-remainder.js'
import { normaliseUsage } from './normalise.js'
import { lookupPrice, priceCall } from './pricing.js'
import { tokenCount } from './token-count.js'

t.test('largest remainder: parts sum exactly, remainders go to the largest fractions, then the earlier part', async (t) => {
  t.same(largestRemainder(10, [1, 1, 1]), [4, 3, 3])
  t.same(largestRemainder(100, [3, 3, 4]), [30, 30, 40])
  t.same(largestRemainder(7, [0, 0]), [7, 0], 'no weight: all to the first')
  t.same(largestRemainder(0, [5, 9]), [0, 0])
  t.same(largestRemainder(5, [2, 7, 1]), [1, 4, 0], 'exact shares 1.11, 3.89, 0.56: floors 1,3,0; the two units left go to 0.89 and 0.56... one each by size')
  // Random weights and totals: always an exact sum, each part within one unit of its exact share.
  for (let i = 0; i < 200; i++) {
    const weights = Array.from({ length: 1 + (i % 9) }, (_, j) => ((i * 7919 + j * 104_729) % 1000) + (j % 3 === 0 ? 0 : 1))
    const total = (i * 2_654_435_761) % 1_000_003
    const parts = largestRemainder(total, weights)
    const sum = weights.reduce((a, b) => a + b, 0)
    t.equal(parts.reduce((a, b) => a + b, 0), sum === 0 ? total : total, `case ${i}: sums to ${total}`)
    if (sum > 0) t.ok(parts.every((p, j) => Math.abs(p - (total * weights[j]) / sum) < 1), `case ${i}: within one token`)
  }
})

const request: ModelRequest = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  activity: 'conversation',
  system: 'You are a careful coding agent. '.repeat(40),
  tools: [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }],
  extra: {},
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Please read the README and summarise it.' }] },
    { role: 'assistant', content: [{ type: 'tool-call', callId: 'c1', tool: 'read_file', input: { path: 'README.md' } }] },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'c1', tool: 'read_file', output: 'Agent Platform is a self-hosted platform. '.repeat(200) }] },
  ],
}

t.test('prompt parts: system (prompt + tool definitions), conversation text, tool calls and results by tool', async (t) => {
  const segments = promptSegments(request)
  t.same(segments.map((s) => [s.activity, s.tool]), [['system', null], ['conversation', null], ['tool_use', 'read_file'], ['tool_use', 'read_file']])
  t.equal(segments[0].weight, tokenCount(request.system) + tokenCount(JSON.stringify(request.tools)))
  t.ok(segments[3].weight > 1000, 'the tool result dominates this prompt')
})

t.test('a cache-heavy call: parts sum exactly to the tokens and the cost; the cached prefix is the system part', async (t) => {
  const usage = normaliseUsage({ input: 40, output: 300, cacheRead: 400, cacheWrite: 1_500, raw: {} })
  const cost = priceCall(lookupPrice('anthropic', 'claude-sonnet-4-5', {}).spec, usage)!
  const parts = attribute({ request, activity: 'conversation', toolCalls: [], usage, cost })
  t.same(parts.map((p) => [p.activity, p.tool]), [['system', null], ['conversation', null], ['tool_use', 'read_file']])
  t.equal(parts.reduce((s, p) => s + p.tokens, 0), 40 + 300 + 400 + 1_500, 'tokens sum exactly')
  t.equal(parts.reduce((s, p) => s + p.costPico!, 0n), cost.total, 'cost sums exactly')
  // Walking the prompt in order: the first 400 tokens are cache reads (0.30), the next 1,500 cache
  // writes (3.75), the last 40 uncached input (3.00).
  const sizes = largestRemainder(1_940, promptSegments(request).map((s) => s.weight))
  const [sys, text, call, result] = sizes
  t.ok(sys < 400 && sys + text + call < 400 && sys + text + call + result > 1_900, 'this prompt: system, text and call inside the cache read')
  t.equal(parts[0].tokens, sys)
  t.equal(parts[0].costPico, BigInt(sys) * 300_000n, 'system: cache read rate only')
  t.equal(parts[1].costPico, BigInt(text) * 300_000n + 300n * 15_000_000n, 'conversation: its prompt text at the read rate, plus the answer')
  const readLeft = 400 - sys - text - call
  t.equal(parts[2].costPico, BigInt(call + readLeft) * 300_000n + 1_500n * 3_750_000n + 40n * 3_000_000n, 'tool_use: the rest of the read, every write, the input')
  t.ok(parts[1].costPico! > 0n && parts[2].costPico! > 0n)
})

t.test('output of a call that requested tools is tool_use, split by the calls\' arguments; otherwise conversation', async (t) => {
  const usage = normaliseUsage({ input: 1000, output: 90, raw: {} })
  const cost = priceCall({ input: '1', output: '10' }, usage)!
  const withTools = attribute({ request, activity: 'conversation', toolCalls: [{ tool: 'read_file', input: { path: 'a' } }, { tool: 'grep', input: { pattern: 'x'.repeat(200) } }], usage, cost })
  const grep = withTools.find((p) => p.tool === 'grep')!
  t.ok(grep.tokens > 45 && grep.tokens <= 90, 'grep had the longer arguments: most of the output')
  t.notOk(withTools.some((p) => p.activity === 'conversation' && p.tokens > 1000), 'no output left in conversation')
  t.equal(withTools.reduce((s, p) => s + p.tokens, 0), 1090)
  t.equal(withTools.reduce((s, p) => s + p.costPico!, 0n), cost.total)
  const plain = attribute({ request, activity: 'conversation', toolCalls: [], usage, cost })
  const conversation = plain.find((p) => p.activity === 'conversation')!
  t.ok(conversation.tokens >= 90, 'the answer counts as conversation')
})

t.test('title and compaction calls are attributed whole; unknown price: tokens split, costs null', async (t) => {
  const usage = normaliseUsage({ input: 120, output: 8, raw: {} })
  t.same(attribute({ request, activity: 'title', toolCalls: [], usage, cost: priceCall({ input: '1', output: '1' }, usage) }), [{ activity: 'title', tool: null, tokens: 128, costPico: 128_000_000n }])
  const unpriced = attribute({ request, activity: 'conversation', toolCalls: [], usage, cost: null })
  t.ok(unpriced.every((p) => p.costPico === null))
  t.equal(unpriced.reduce((s, p) => s + p.tokens, 0), 128)
  const unseen = attribute({ request: null, activity: 'conversation', toolCalls: [], usage, cost: null })
  t.same(unseen, [{ activity: 'conversation', tool: null, tokens: 128, costPico: null }], 'request not seen: all conversation')
})

t.test('reasoning priced apart goes to the output parts first', async (t) => {
  const usage = normaliseUsage({ input: 0, output: 100, reasoning: 100, raw: {} })
  const cost = priceCall({ input: '1', output: '2', reasoning: '3' }, usage)!
  const parts = attribute({ request, activity: 'conversation', toolCalls: [], usage, cost })
  t.same(parts, [{ activity: 'conversation', tool: null, tokens: 100, costPico: 300_000_000n }])
})
