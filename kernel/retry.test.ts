import t from 'tap'
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, withRetry } from './retry.js'

t.test('parseRetryAfter reads seconds and HTTP dates', async (t) => {
  t.equal(parseRetryAfter('3'), 3000)
  t.equal(parseRetryAfter('1.5'), 1500)
  t.equal(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')), 5000)
  t.equal(parseRetryAfter('soon'), null)
  t.equal(parseRetryAfter(null), null)
})

t.test('backoff doubles, is capped and jittered within ±jitter', async (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.3 }
  t.equal(backoffDelay(1, policy, () => 0.5), 100)
  t.equal(backoffDelay(2, policy, () => 0.5), 200)
  t.equal(backoffDelay(10, policy, () => 0.5), 1000, 'capped')
  t.equal(backoffDelay(1, policy, () => 0), 70)
  t.equal(backoffDelay(1, policy, () => 0.9999999), 130)
})

t.test('retries until success, honouring a server delay, and reports each retry', async (t) => {
  const seen: Array<{ attempt: number; delayMs: number; reason: string }> = []
  let calls = 0
  const result = await withRetry(
    async (attempt) => {
      calls++
      if (attempt < 3) throw Object.assign(new Error('busy'), { status: attempt === 1 ? 429 : 503 })
      return 'ok'
    },
    {
      policy: { initialDelayMs: 5, maxDelayMs: 10, jitter: 0 },
      classify: (error) => ((error as { status: number }).status === 429 ? { retry: true, reason: 'rate limited', delayMs: 20 } : { retry: true, reason: 'server error' }),
      onRetry: ({ attempt, delayMs, reason }) => seen.push({ attempt, delayMs, reason }),
    },
  )
  t.equal(result, 'ok')
  t.equal(calls, 3)
  t.same(seen, [
    { attempt: 1, delayMs: 20, reason: 'rate limited' },
    { attempt: 2, delayMs: 10, reason: 'server error' },
  ])
})

t.test('a final error, spent attempts and an abort all stop retrying', async (t) => {
  let calls = 0
  await t.rejects(withRetry(async () => { calls++; throw new Error('bad request') }, { classify: () => ({ retry: false }) }), /bad request/)
  t.equal(calls, 1)
  calls = 0
  await t.rejects(withRetry(async () => { calls++; throw new Error('flaky') }, { policy: { attempts: 3, initialDelayMs: 1, jitter: 0 }, classify: () => ({ retry: true, reason: 'x' }) }), /flaky/)
  t.equal(calls, 3)
  const controller = new AbortController()
  const running = withRetry(async () => { throw new Error('down') }, { signal: controller.signal, policy: { initialDelayMs: 10_000, jitter: 0 }, classify: () => ({ retry: true, reason: 'x' }) })
  setTimeout(() => controller.abort(), 20)
  await t.rejects(running, { name: 'AbortError' })
})
