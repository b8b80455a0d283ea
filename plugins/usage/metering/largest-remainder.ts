/**
 * Split `total` into whole parts proportional to `weights` (largest remainder method): each part gets
 * the floor of its exact share, and the units left go one each to the largest remainders (ties: the
 * earlier part). The parts always sum exactly to `total`. All weights zero: everything to the first.
 */
export function largestRemainder(total: number, weights: number[]): number[] {
  if (weights.length === 0) return []
  const sum = weights.reduce((a, b) => a + b, 0)
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0))
  const big = BigInt(total)
  const denominator = BigInt(sum)
  const floors = weights.map((w) => (big * BigInt(w)) / denominator)
  const remainders = weights.map((w, i) => ({ i, r: (big * BigInt(w)) % denominator }))
  let left = Number(big - floors.reduce((a, b) => a + b, 0n))
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1))
  const parts = floors.map(Number)
  for (const { i } of remainders) {
    if (left <= 0) break
    parts[i] += 1
    left -= 1
  }
  return parts
}
