import { createHash } from 'node:crypto'
import type { AuthOauthOptions } from './config.js'

type Timing = Pick<AuthOauthOptions['refresh'], 'minLeadMs' | 'leadFraction' | 'jitterMs'>

/** A fixed 0..jitterMs offset per credential and expiry, so every instance computes the same moment. */
function jitter(seed: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % jitterMs
}

/**
 * When the background job renews a token (llxprt's proactive renewal, provider-fidelity.md §12.5):
 * expiry - max(minLead, leadFraction x lifetime) - jitter, lifetime counted from when the token was
 * stored. Tokens that lived less than minLead when stored get no proactive renewal (refresh on access
 * covers them), nor do tokens without an expiry. Epoch ms, or null.
 */
export function renewAt(credential: { id: string; expiresAt: string | null; updatedAt: string }, timing: Timing): number | null {
  if (!credential.expiresAt) return null
  const expires = Date.parse(credential.expiresAt)
  const lifetime = expires - Date.parse(credential.updatedAt)
  if (!Number.isFinite(lifetime) || lifetime < timing.minLeadMs) return null
  const lead = Math.max(timing.minLeadMs, Math.floor(lifetime * timing.leadFraction))
  return expires - lead - jitter(`${credential.id}|${credential.expiresAt}`, timing.jitterMs)
}
