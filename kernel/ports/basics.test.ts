import t from 'tap'
import { createUlidIds, pooledRandom } from './basics.js'

t.test('pooled randomness: fractions in [0, 1) spread evenly over ulid’s 32 characters, across pool refills', async (t) => {
  const next = pooledRandom()
  const buckets = new Array<number>(32).fill(0)
  const draws = 32 * 4096
  for (let i = 0; i < draws; i++) {
    const value = next()
    if (value < 0 || value >= 1) t.fail(`out of range: ${value}`)
    buckets[Math.floor(value * 32)] += 1
  }
  // Each bucket expects 4096 draws; 5 standard deviations (~320) is a generous, still meaningful bound.
  t.ok(Math.min(...buckets) > 4096 - 320 && Math.max(...buckets) < 4096 + 320, `buckets ${Math.min(...buckets)}..${Math.max(...buckets)}`)
})

t.test('ids are prefixed, unique and sort in creation order', async (t) => {
  const ids = createUlidIds()
  const made = Array.from({ length: 5000 }, () => ids.next('msg'))
  t.ok(made.every((id) => /^msg_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)))
  t.equal(new Set(made).size, made.length)
  t.same([...made].sort(), made)
})
