let queue: Array<() => void> = []
let scheduled = false
let running = false

/**
 * Run `fn` when the work of this turn of the event loop is done (one shared setImmediate). Callbacks added
 * while the batch runs join it: a message builder announcing its coalesced delta and the event bus sending
 * what that produced go out in the same loop turn instead of one turn apart.
 */
export function atTickEnd(fn: () => void): void {
  queue.push(fn)
  if (scheduled || running) return
  scheduled = true
  setImmediate(runBatch)
}

function runBatch(): void {
  scheduled = false
  running = true
  try {
    for (let i = 0; i < queue.length; i++) {
      try {
        queue[i]()
      } catch (error) {
        // As a failing setImmediate callback would: surfaced, without keeping the others from running.
        setImmediate(() => {
          throw error
        })
      }
    }
  } finally {
    queue = []
    running = false
  }
}
