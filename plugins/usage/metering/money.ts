/**
 * Money is integer pico-USD (10^-12 USD) held as bigint: exact sums, no float drift. A price of
 * 1 USD per million tokens is 1,000,000 pico-USD per token, so list prices with up to six decimals
 * are whole pico-USD per token.
 */
const DECIMAL = /^(\d+)(?:\.(\d{1,6}))?$/

/** "3.75" (USD per million tokens) -> 3_750_000n (pico-USD per token); null when not such a decimal. */
export function usdPerMillionToPicoPerToken(value: string): bigint | null {
  const match = DECIMAL.exec(value.trim())
  if (!match) return null
  return BigInt(match[1]) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'))
}

const USD = /^(\d+)(?:\.(\d{1,12}))?$/

/** "5.00" (USD) -> 5_000_000_000_000n pico-USD; null when not a plain decimal with at most 12 decimals. */
export function usdToPico(value: string): bigint | null {
  const match = USD.exec(value.trim())
  if (!match) return null
  return BigInt(match[1]) * 1_000_000_000_000n + BigInt((match[2] ?? '').padEnd(12, '0'))
}

/** pico-USD -> "0.012345" style USD for messages (rounded down to micro-USD, trailing zeros kept to 6). */
export function formatUsd(pico: bigint): string {
  const micro = pico / 1_000_000n
  const whole = micro / 1_000_000n
  const frac = (micro % 1_000_000n).toString().padStart(6, '0')
  return `$${whole}.${frac}`
}
