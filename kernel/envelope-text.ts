const texts = new WeakMap<object, string>()

/**
 * An event envelope's JSON text, made once per envelope object: every SSE connection and WebSocket
 * following a stream gets the same object from the event bus, so one event reaching thousands of
 * consumers costs one stringify (none when the bus already had the text, see rememberEnvelopeText).
 */
export function envelopeText(envelope: object): string {
  let text = texts.get(envelope)
  if (text === undefined) {
    text = JSON.stringify(envelope)
    texts.set(envelope, text)
  }
  return text
}

/**
 * For event buses: record the JSON text already made for an envelope (sent to or read from a broker),
 * so consumers do not make it again. It must be exactly `JSON.stringify(envelope)`.
 */
export function rememberEnvelopeText(envelope: object, text: string): void {
  texts.set(envelope, text)
}

/** An envelope received as JSON text (made by JSON.stringify): parsed, with that text remembered for its consumers. */
export function parseEnvelopeText<T extends object>(text: string): T {
  const envelope = JSON.parse(text) as T
  texts.set(envelope, text)
  return envelope
}
