import t from 'tap'
import { CappedText } from './capped-text.js'

t.test('keeps everything under the cap', async (t) => {
  const text = new CappedText(10)
  text.push('abc')
  text.push('def')
  t.equal(text.toString(), 'abcdef')
  t.equal(text.truncated, false)
  t.equal(text.totalChars, 6)
})

t.test('keeps head and tail and marks what was cut', async (t) => {
  const text = new CappedText(10)
  for (const chunk of ['0123', '4567', '89ab', 'cdef', 'ghij']) text.push(chunk)
  t.equal(text.toString(), '01234\n[... 10 characters omitted ...]\nfghij')
  t.equal(text.truncated, true)
  t.equal(text.totalChars, 20)
  const big = new CappedText(6)
  big.push('x'.repeat(1_000_000))
  t.equal(big.toString(), 'xxx\n[... 999994 characters omitted ...]\nxxx')
})

t.test('finds a watched pattern anywhere in the stream, also across chunks and in the cut part', async (t) => {
  const text = new CappedText(10, { watch: /FATAL ERROR: [a-z ]+!/ })
  text.push('head.....')
  text.push('noise FATAL ERR')
  text.push('OR: out of memory! then more noise')
  text.push('and the tail')
  t.equal(text.matched, 'FATAL ERROR: out of memory!')
  t.notMatch(text.toString(), /FATAL/, 'the match itself was cut from the text')
  const none = new CappedText(10, { watch: /never/ })
  none.push('something else')
  t.equal(none.matched, undefined)
})

t.test('a filter rewrites chunks before they are kept, after the watch saw them', async (t) => {
  const text = new CappedText(100, { watch: /secret/, filter: { push: (chunk) => chunk.replace('secret', '') } })
  text.push('a secret b')
  t.equal(text.matched, 'secret')
  t.equal(text.toString(), 'a  b')
})
