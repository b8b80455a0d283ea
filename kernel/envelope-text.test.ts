import t from 'tap'
import { envelopeText, rememberEnvelopeText } from './envelope-text.js'

t.test('an envelope is stringified once; a text the bus already made is used as is', async (t) => {
  const envelope = { v: 1, stream: 'global', seq: 3, type: 'error', data: { code: 'X', message: 'ü' } }
  const text = envelopeText(envelope)
  t.equal(text, JSON.stringify(envelope))
  envelope.seq = 4
  t.equal(envelopeText(envelope), text, 'kept per object: envelopes are not changed after they are sent')
  const received = JSON.parse(text) as object
  const fromBroker = `{"v":1,"stream":"global","seq":3,"type":"error","data":{"code":"X","message":"\\u00fc"}}`
  rememberEnvelopeText(received, fromBroker)
  t.equal(envelopeText(received), fromBroker, 'the remembered text, not a new stringify')
})
