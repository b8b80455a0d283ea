/**
 * Test helpers (not used at runtime) for the contract and fuzz tests: a kernel with server-http and a
 * few registry routes, its OpenAPI document, and a JSON Schema 2020-12 validator (ajv) for its schemas.
 */
import { fileURLToPath } from 'node:url'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { createTestKernel } from '../../../kernel/testing/index.js'
import type { OpenApiDocument, OpenApiOperation } from './openapi.js'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

export interface Operation {
  method: string
  /** OpenAPI path with `{param}`s. */
  path: string
  op: OpenApiOperation
}

/** Boot server-http with registry routes (agent-personas, a documented fixture) and a tool that asks permission. */
export async function bootDocumented(t: { teardown(fn: () => unknown): void }) {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0, replies: [[{ type: 'tool-call', tool: 'touch_file', input: { path: 'a.txt' }, callId: 'call-1' }], [{ type: 'text', text: 'done' }]] },
      'tool-asking': { resolve: fixture('ask-tool-plugin.ts') },
      'fixture-documented-routes': { resolve: fixture('documented-routes-plugin.ts') },
      'agent-personas': true,
      'server-http': { port: 0 },
    } as never,
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApiDocument
  return { tk, base, doc, operations: operationsOf(doc), validator: validatorFor(doc) }
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
}

/** Validates a value against a schema of the document (`$ref`s to its components resolve). */
export function validatorFor(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats(ajv)
  ajv.addSchema({ $id: 'https://platform.invalid/openapi.json', components: doc.components } as never)
  const cache = new Map<object, ReturnType<typeof ajv.compile>>()
  return (schema: Record<string, unknown>, value: unknown): string | null => {
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"https://platform.invalid/openapi.json#/components/')) as Record<string, unknown>
    let check = cache.get(schema)
    if (!check) {
      check = ajv.compile(rebased)
      cache.set(schema, check)
    }
    return check(value) ? null : ajv.errorsText(check.errors)
  }
}

/** The response a status falls under: exact, then `4XX`-style ranges. */
export function responseFor(op: OpenApiOperation, status: number) {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`]
}

/** `/api/sessions/{id}` with values filled in. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? `unknown-${name}`))
}
