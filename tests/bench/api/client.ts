/** The bench's client side: sessions, turns and event streams over the real HTTP API. */
import { envelopeOf, openSse, type SseReader } from '../../../plugins/server/http/test-support.js'

export type Envelope = { type: string; seq: number; data: Record<string, unknown> }
export type BenchSession = { id: string; events: SseReader }

export class BenchClient {
  constructor(readonly base: string) {}

  async post<T = Record<string, string>>(path: string, body: unknown): Promise<T> {
    const response = await fetch(this.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (response.status >= 400) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  async session(): Promise<BenchSession> {
    const { id } = await this.post<{ id: string }>('/api/sessions', {})
    return { id, events: await openSse(`${this.base}/api/sessions/${id}/events`) }
  }

  /**
   * Send a message and read the session's stream until the turn is over (idle). Calls onEvent with
   * each envelope and the time it arrived.
   */
  async turn(session: BenchSession, text: string, onEvent: (e: Envelope, at: number) => void = () => undefined): Promise<void> {
    const posted = this.post(`/api/sessions/${session.id}/messages`, { text })
    await session.events.readUntil((frame) => {
      const at = performance.now()
      const e = envelopeOf<Envelope>(frame)
      onEvent(e, at)
      return e.type === 'session.status' && e.data.status === 'idle'
    }, 120_000)
    await posted
  }
}

/** The bench clock times the model server wrote into a text delta (`<123.456>` per token). */
export function writeTimes(delta: string): number[] {
  return [...delta.matchAll(/<(\d+\.\d+)>/g)].map((m) => Number(m[1]))
}
