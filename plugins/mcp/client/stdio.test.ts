/**
 * server-everything over stdio, through the plugin in a real kernel: tools (with progress), prompts
 * with arguments, resources and templates, and a resources list_changed it sends at runtime.
 */
import t from 'tap'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { bootMcp, everythingStdio } from './test-support.js'

const booted = await bootMcp(t, { servers: { everything: everythingStdio() } })
const { tk, call } = booted
const tools = tk.kernel.resolve('registries').tools

t.test('the server connects at boot and its tools are kernel tools named everything__<tool>', async (t) => {
  const status = (await call('GET', '/api/mcp/servers')).json
  t.match(status, [{ name: 'everything', transport: 'stdio', state: 'connected', origin: 'config' }])
  t.ok(status[0].tools >= 10, 'it lists its tools')
  t.ok(status[0].prompts >= 3 && status[0].resources >= 1, 'and prompts and resources')
  const echo = tools.get('everything__echo')!
  t.ok(echo, 'echo is registered')
  t.equal(echo.kind, 'read', 'readOnlyHint makes it a read tool')
  t.equal(echo.description, 'Echoes back the input string')
  t.match(echo.jsonSchema, { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] })
  t.equal(echo.subject!({ message: 'hi' }), '{"message":"hi"}')
  t.equal(tools.get('everything__gzip-file-as-resource')?.kind, 'other', 'no readOnly nor destructive hint: other')
})

t.test('a call returns the text; invalid arguments are refused before the server is asked', async (t) => {
  const echo = tools.get('everything__echo')!
  const result = await echo.execute({ message: 'hello' }, createTestToolContext())
  t.same(result.output, 'Echo: hello')
  t.notOk(result.isError)
  const parsed = echo.inputSchema.safeParse({ message: 42 })
  t.notOk(parsed.success, 'a number for a string is refused')
  t.match(parsed.error?.issues[0]?.message, /message.*string|string/)
  t.notOk(echo.inputSchema.safeParse({}).success, 'a missing required field is refused')
})

t.test('a long tool reports progress as fractions with a message', async (t) => {
  const tool = tools.get('everything__trigger-long-running-operation')!
  const ctx = createTestToolContext()
  const result = await tool.execute({ duration: 0.3, steps: 3 }, ctx)
  t.match(result.output, /Long running operation completed/)
  // The SDK may drop the last notification when the result overtakes it: the first two always arrive.
  t.ok(ctx.progress.length >= 2, 'progress was reported')
  t.same(ctx.progress.slice(0, 2), [{ message: '1/3', fraction: 1 / 3 }, { message: '2/3', fraction: 2 / 3 }])
})

t.test('images become a note, structured content is kept in metadata', async (t) => {
  const image = await tools.get('everything__get-tiny-image')!.execute({}, createTestToolContext())
  t.match(image.output, /\[image image\/png, \d+ bytes: not shown as text\]/)
  const sum = await tools.get('everything__get-structured-content')!.execute({ location: 'New York' }, createTestToolContext())
  t.ok(sum.metadata?.structuredContent, 'structured content kept')
})

t.test('prompts: listed with arguments, rendered with them, missing ones refused', async (t) => {
  const prompts = (await call('GET', '/api/mcp/servers/everything/prompts')).json
  const args = prompts.find((p: { name: string }) => p.name === 'args-prompt')
  t.match(args.arguments, [{ name: 'city', required: true }, { name: 'state' }])
  const rendered = await call('GET', '/api/mcp/servers/everything/prompts/args-prompt?city=Paris&state=TX')
  t.equal(rendered.status, 200)
  t.same(rendered.json.messages.map((m: { role: string; text: string }) => [m.role, m.text]), [['user', "What's weather in Paris, TX?"]])
  const missing = await call('GET', '/api/mcp/servers/everything/prompts/args-prompt?state=TX')
  t.equal(missing.status, 400)
  t.equal(missing.json.error.code, 'MCP_PROMPT_ARGUMENTS_INVALID')
  t.match(missing.json.error.message, /missing required city/)
  const unknown = await call('GET', '/api/mcp/servers/everything/prompts/nope')
  t.equal(unknown.status, 404)
  t.equal(unknown.json.error.code, 'MCP_PROMPT_NOT_FOUND')
})

t.test('resources and templates: listed, read by uri, as attachments; unknown uri is a 404', async (t) => {
  const listed = (await call('GET', '/api/mcp/servers/everything/resources')).json
  t.ok(listed.resources.length >= 1)
  t.ok(listed.templates.some((tpl: { uriTemplate: string }) => tpl.uriTemplate === 'demo://resource/dynamic/text/{resourceId}'))
  const read = await call('GET', `/api/mcp/servers/everything/resources?uri=${encodeURIComponent('demo://resource/dynamic/text/7')}`)
  t.equal(read.status, 200)
  t.match(read.json.contents, [{ uri: 'demo://resource/dynamic/text/7', mimeType: 'text/plain', text: /^Resource 7: This is a plaintext resource/ }])
  const attached = await call('GET', `/api/mcp/servers/everything/resources/attachments?uri=${encodeURIComponent('demo://resource/dynamic/blob/3')}`)
  t.equal(attached.status, 200)
  const [attachment] = attached.json.attachments
  t.equal(attachment.name, '3')
  t.match(Buffer.from(attachment.data, 'base64').toString('utf8'), /^Resource 3: This is a base64 blob/)
  const missing = await call('GET', `/api/mcp/servers/everything/resources?uri=${encodeURIComponent('demo://nothing/here')}`)
  t.equal(missing.status, 404)
  t.equal(missing.json.error.code, 'MCP_RESOURCE_NOT_FOUND')
  // The template matches but its handler throws: the server's own failure, passed on as a 502.
  const refused = await call('GET', `/api/mcp/servers/everything/resources?uri=${encodeURIComponent('demo://resource/dynamic/text/zero')}`)
  t.equal(refused.status, 502)
  t.equal(refused.json.error.code, 'MCP_REQUEST_FAILED')
  t.match(refused.json.error.message, /Unknown resource/)
})

t.test('a resources list_changed from the server refreshes the listing and emits mcp.server.updated', async (t) => {
  const before = (await call('GET', '/api/mcp/servers/everything')).json.resources
  const events: Array<{ type: string; data: { resources: number } }> = []
  const unsubscribe = await tk.kernel.resolve('eventBus').subscribe('global', (e) => events.push(e as never))
  t.teardown(unsubscribe)
  // gzip-file-as-resource registers a session resource: the SDK server then sends resources/list_changed.
  const data = `data:text/plain;base64,${Buffer.from('hello gzip').toString('base64')}`
  await tools.get('everything__gzip-file-as-resource')!.execute({ name: 'note.txt.gz', data, outputType: 'resourceLink' }, createTestToolContext())
  await waitFor(() => events.some((e) => e.type === 'mcp.server.updated' && e.data.resources === before + 1), 'the refreshed count on the global stream')
  const listed = (await call('GET', '/api/mcp/servers/everything/resources')).json.resources
  t.ok(listed.some((r: { uri: string }) => r.uri === 'demo://resource/session/note.txt.gz'))
})
