import t from 'tap'
import type { ChatMessage } from '../../../kernel/index.js'
import { toCodeAssistRequest } from './code-assist-request.js'
import { baseHeaders, determineSurface, parseCustomHeaders, userAgent } from './headers.js'
import { codeAssistModel, deepMerge, generationDefaults, wantsSyntheticSignatures } from './models.js'
import { SYNTHETIC_SIGNATURE, toContents, toSystemInstruction, toTools } from './request.js'

const conversation: ChatMessage[] = [
  { role: 'user', content: [{ type: 'text', text: 'Read notes.md' }] },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'I should read the file.', signature: 'sig-on-thought', providerId: 'gemini' },
      { type: 'text', text: 'Reading it.' },
      { type: 'tool-call', callId: 'read_note_1_0', tool: 'read_note', input: { title: 'notes.md' }, meta: { thoughtSignature: 'sig-call' } },
      { type: 'tool-call', callId: 'read_note_1_1', tool: 'read_note', input: { title: 'todo.md' } },
    ],
  },
  {
    role: 'tool',
    content: [
      { type: 'tool-result', callId: 'read_note_1_0', tool: 'read_note', output: 'hello' },
      { type: 'tool-result', callId: 'read_note_1_1', tool: 'read_note', output: 'no such note', isError: true },
    ],
  },
]

t.test('messages become user/model contents with functionCall and functionResponse parts', async (t) => {
  t.same(toContents(conversation, 'gemini-2.5-pro'), [
    { role: 'user', parts: [{ text: 'Read notes.md' }] },
    {
      role: 'model',
      parts: [
        { text: 'Reading it.' },
        { functionCall: { name: 'read_note', args: { title: 'notes.md' }, id: 'read_note_1_0' }, thoughtSignature: 'sig-call' },
        { functionCall: { name: 'read_note', args: { title: 'todo.md' }, id: 'read_note_1_1' } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'read_note', response: { output: 'hello' }, id: 'read_note_1_0' } },
        { functionResponse: { name: 'read_note', response: { error: 'no such note' }, id: 'read_note_1_1' } },
      ],
    },
  ])
})

t.test('thoughts are not replayed; a signature carrier goes back onto its text part', async (t) => {
  const messages: ChatMessage[] = [
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking', providerId: 'gemini' },
        { type: 'text', text: 'Hello' },
        { type: 'reasoning', text: '', signature: 'sig-text', providerId: 'gemini' },
        { type: 'text', text: ' world' },
        { type: 'reasoning', text: '', signature: 'sig-lost', providerId: 'gemini' },
        { type: 'tool-call', callId: 'c1', tool: 't', input: {} },
        { type: 'reasoning', text: '', signature: 'sig-alone', providerId: 'gemini' },
        { type: 'reasoning', text: '', signature: 'sig-foreign', providerId: 'anthropic' },
      ],
    },
    { role: 'user', content: [{ type: 'text', text: 'again' }] },
  ]
  t.same(toContents(messages, 'gemini-2.5-flash')[1], {
    role: 'model',
    // ' world' joins the run started by 'Hello', so its signature is dropped as gemini-cli's history drops it.
    parts: [{ text: 'Hello world', thoughtSignature: 'sig-text' }, { functionCall: { name: 't', args: {}, id: 'c1' } }, { thoughtSignature: 'sig-alone' }],
  })
})

t.test('the first function call of each model turn in the active loop gets a synthetic signature', async (t) => {
  const older: ChatMessage[] = [
    { role: 'user', content: [{ type: 'text', text: 'first' }] },
    { role: 'assistant', content: [{ type: 'tool-call', callId: 'a', tool: 't', input: {} }] },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'a', tool: 't', output: 'x' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
    { role: 'user', content: [{ type: 'text', text: 'second' }] },
    { role: 'assistant', content: [{ type: 'tool-call', callId: 'b', tool: 't', input: {} }, { type: 'tool-call', callId: 'c', tool: 't', input: {} }] },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'b', tool: 't', output: 'y' }, { type: 'tool-result', callId: 'c', tool: 't', output: 'z' }] },
  ]
  const contents = toContents(older, 'gemini-3-pro-preview')
  t.equal(contents[1].parts[0].thoughtSignature, undefined, 'a call before the last user text stays unsigned')
  t.equal(contents[5].parts[0].thoughtSignature, SYNTHETIC_SIGNATURE)
  t.equal(contents[5].parts[1].thoughtSignature, undefined, 'only the first call')
  t.equal(toContents(older, 'gemini-1.5-pro')[5].parts[0].thoughtSignature, undefined, 'not for the 1.x family')
  t.ok(wantsSyntheticSignatures('gemma-4-31b-it'))
})

t.test('consecutive contents of one role are merged', async (t) => {
  const contents = toContents(
    [
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'tool-call', callId: 'x', tool: 't', input: {}, meta: { thoughtSignature: 's' } }] },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'x', tool: 't', output: 'o' }] },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
    ],
    'gemini-2.5-pro',
  )
  t.equal(contents.length, 3)
  t.same(contents[2].parts, [{ functionResponse: { name: 't', response: { output: 'o' }, id: 'x' } }, { text: 'b' }])
})

t.test('tools, system instruction and generation defaults as gemini-cli sends them', async (t) => {
  t.equal(toTools([]), undefined)
  const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
  t.same(toTools([{ name: 'read_note', description: 'Reads a note.', inputSchema: schema }]), [
    { functionDeclarations: [{ name: 'read_note', description: 'Reads a note.', parametersJsonSchema: schema }] },
  ])
  t.same(toSystemInstruction('Be brief.'), { role: 'user', parts: [{ text: 'Be brief.' }] })
  t.equal(toSystemInstruction(''), undefined)
  t.same(generationDefaults('gemini-2.5-pro'), { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } })
  t.same(generationDefaults('gemini-3-pro-preview'), { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' } })
  t.same(generationDefaults('my-tuned-model'), { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true } })
  t.same(deepMerge(generationDefaults('gemini-2.5-pro'), { thinkingConfig: { thinkingBudget: 0 }, maxOutputTokens: 10 }).thinkingConfig, { includeThoughts: true, thinkingBudget: 0 })
  t.equal(codeAssistModel('gemini-3.5-flash', { 'gemini-3.5-flash': 'gemini-3-flash' }), 'gemini-3-flash')
  t.equal(codeAssistModel('models/gemini-3.5-flash', { 'gemini-3.5-flash': 'gemini-3-flash' }), 'models/gemini-3-flash')
  t.equal(codeAssistModel('gemini-2.5-pro', { 'gemini-3.5-flash': 'gemini-3-flash' }), 'gemini-2.5-pro')
})

t.test('the Code Assist envelope keeps only the converter fields', async (t) => {
  const body = toCodeAssistRequest({
    model: 'gemini-2.5-pro',
    project: 'proj-1',
    userPromptId: 'ses_1########1',
    sessionId: 'ses_1',
    contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
    config: { temperature: 1, thinkingConfig: { includeThoughts: true }, unknownField: 1, labels: { a: 'b' } },
  })
  t.same(JSON.parse(JSON.stringify(body)), {
    model: 'gemini-2.5-pro',
    project: 'proj-1',
    user_prompt_id: 'ses_1########1',
    request: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], labels: { a: 'b' }, generationConfig: { temperature: 1, thinkingConfig: { includeThoughts: true } }, session_id: 'ses_1' },
  })
})

t.test('User-Agent and custom headers in gemini-cli format with our product', async (t) => {
  t.equal(userAgent('0.1.0', 'gemini-2.5-pro', 'terminal'), `AgentPlatform/0.1.0/gemini-2.5-pro (${process.platform}; ${process.arch}; terminal)`)
  t.equal(determineSurface({}), 'terminal')
  t.equal(determineSurface({ GITHUB_SHA: 'abc' }), 'GitHub')
  t.equal(determineSurface({ SURFACE: 'web', GITHUB_SHA: 'abc' }), 'web')
  t.equal(determineSurface({ GEMINI_CLI_SURFACE: 'server', SURFACE: 'web' }), 'server')
  t.same(parseCustomHeaders('X-One: 1, X-Two: a,b, bad, :x'), { 'X-One': '1', 'X-Two': 'a,b, bad' })
  t.same(baseHeaders({ version: '1.2.3', model: 'm', env: { GEMINI_CLI_CUSTOM_HEADERS: 'X-Env: e' }, configHeaders: { 'X-Cfg': 'c' }, extraHeaders: { 'X-Extra': 'x' } }), {
    'User-Agent': `AgentPlatform/1.2.3/m (${process.platform}; ${process.arch}; terminal)`,
    'X-Env': 'e',
    'X-Cfg': 'c',
    'X-Extra': 'x',
  })
})
