import t from 'tap'
import type { StreamChunk } from '../../../kernel/index.js'
import { GeminiStreamMapper, type GeminiResponse } from './stream.js'
import { toUsage } from './usage.js'

function run(responses: GeminiResponse[]): StreamChunk[] {
  let n = 0
  const mapper = new GeminiStreamMapper((name) => `${name}_gen_${n++}`)
  return [...responses.flatMap((r) => mapper.push(r)), ...mapper.end()]
}

const parts = (list: unknown[], finishReason?: string, extra: Partial<GeminiResponse> = {}): GeminiResponse =>
  ({ candidates: [{ content: { parts: list }, ...(finishReason ? { finishReason } : {}) }], ...extra }) as GeminiResponse

t.test('text, thoughts with signatures, usage and stop', async (t) => {
  const usageMetadata = { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 7, thoughtsTokenCount: 30, totalTokenCount: 157 }
  const chunks = run([
    parts([{ text: '**Planning** the answer', thought: true }]),
    parts([{ text: ' more', thought: true, thoughtSignature: 'sig-thought' }]),
    parts([{ text: 'Hello', thoughtSignature: 'sig-text' }]),
    parts([{ text: ' world' }], 'STOP', { usageMetadata }),
  ])
  t.same(chunks, [
    { type: 'thought', delta: '**Planning** the answer' },
    { type: 'thought', delta: ' more', signature: 'sig-thought' },
    { type: 'text', delta: 'Hello' },
    { type: 'thought', delta: '', signature: 'sig-text' },
    { type: 'text', delta: ' world' },
    { type: 'usage', usage: { input: 20, output: 37, reasoning: 30, cacheRead: 100, raw: usageMetadata } },
    { type: 'finish', reason: 'stop' },
  ])
})

t.test('a signature on an empty text part: kept when it starts a run, dropped when it joins one', async (t) => {
  t.same(run([parts([{ text: 'thinking', thought: true }]), parts([{ text: '', thoughtSignature: 'sig-first' }]), parts([{ text: 'Hi' }], 'STOP')]), [
    { type: 'thought', delta: 'thinking' },
    { type: 'text', delta: '' },
    { type: 'thought', delta: '', signature: 'sig-first' },
    { type: 'text', delta: 'Hi' },
    { type: 'finish', reason: 'stop' },
  ])
  t.same(run([parts([{ text: 'Hi' }]), parts([{ text: '', thoughtSignature: 'sig-last' }], 'STOP')]), [
    { type: 'text', delta: 'Hi' },
    { type: 'finish', reason: 'stop' },
  ])
})

t.test('function calls: one complete tool-call per part, ids generated when absent, signature in meta', async (t) => {
  const chunks = run([
    parts([{ text: 'Let me look.' }]),
    parts([{ functionCall: { name: 'read_note', args: { title: 'a' } }, thoughtSignature: 'sig-call' }, { functionCall: { name: 'read_note', args: { title: 'b' }, id: 'server-id' } }]),
    parts([], 'STOP'),
  ])
  t.same(chunks, [
    { type: 'text', delta: 'Let me look.' },
    { type: 'tool-call', callId: 'read_note_gen_0', tool: 'read_note', input: { title: 'a' }, meta: { thoughtSignature: 'sig-call' } },
    { type: 'tool-call', callId: 'server-id', tool: 'read_note', input: { title: 'b' } },
    { type: 'finish', reason: 'tool_calls' },
  ])
})

t.test('finish reasons', async (t) => {
  t.same(run([parts([{ text: 'cut' }], 'MAX_TOKENS')]).at(-1), { type: 'finish', reason: 'length' })
  const blocked = run([parts([{ text: 'partial' }], 'SAFETY')]).at(-1) as Extract<StreamChunk, { type: 'error' }>
  t.equal(blocked.code, 'PROVIDER_GEMINI_BLOCKED')
  t.match(blocked.message, /SAFETY/)
  const recitation = run([{ candidates: [{ finishReason: 'RECITATION', finishMessage: 'quoted text' }] }]).at(-1) as Extract<StreamChunk, { type: 'error' }>
  t.match(recitation.message, /RECITATION\): quoted text/)
  t.equal((run([parts([], 'MALFORMED_FUNCTION_CALL')]).at(-1) as { code: string }).code, 'PROVIDER_GEMINI_INVALID_RESPONSE')
  const prompt = run([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }])
  t.equal(prompt[0].type, 'error')
  t.match((prompt[0] as { message: string }).message, /PROHIBITED_CONTENT/)
})

t.test('a stream that ends without a finish reason is truncated, unless it carried tool calls', async (t) => {
  t.same(run([parts([{ text: 'half an ans' }])]).map((c) => c.type === 'error' ? c.code : c.type), ['text', 'PROVIDER_GEMINI_STREAM_TRUNCATED'])
  t.same(run([parts([{ functionCall: { name: 'x', args: {} } }])]).at(-1), { type: 'finish', reason: 'tool_calls' })
})

t.test('usage normalisation keeps the raw numbers', async (t) => {
  t.same(toUsage({ promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }), { input: 10, output: 5, reasoning: 0, cacheRead: 0, raw: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 } })
  t.same(toUsage({}).input, 0)
})
