import t from 'tap'
import { codeAssistBase, decideAuthMode, geminiBaseUrl, vertexBaseUrl, type ConfiguredMode, type Env } from './auth-mode.js'

type Row = [string, ConfiguredMode, Env, string]

// Expected: the mode, or `!CODE` for a refusal. Rows follow gemini-cli 0.61.0's getAuthTypeFromEnv order.
const table: Row[] = [
  ['nothing set: the API key path (a stored or GOOGLE_API_KEY key may resolve)', 'auto', {}, 'api-key'],
  ['GEMINI_API_KEY', 'auto', { GEMINI_API_KEY: 'test-key-0000' }, 'api-key'],
  ['GOOGLE_API_KEY alone is not a mode switch', 'auto', { GOOGLE_API_KEY: 'test-key-0000' }, 'api-key'],
  ['GOOGLE_GEMINI_BASE_URL beats GEMINI_API_KEY (gateway)', 'auto', { GOOGLE_GEMINI_BASE_URL: 'http://gw', GEMINI_API_KEY: 'k' }, 'gateway'],
  ['GOOGLE_GENAI_USE_VERTEXAI with project and location', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' }, 'vertex'],
  ['GOOGLE_CLOUD_PROJECT_ID counts as the project', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT_ID: 'p', GOOGLE_CLOUD_LOCATION: 'us' }, 'vertex'],
  ['Vertex express mode with GOOGLE_API_KEY', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'k' }, 'vertex'],
  ['Vertex beats the gateway and the key', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: 'http://gw', GEMINI_API_KEY: 'k' }, 'vertex'],
  ['Vertex without project/location or key is refused', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' }, '!PROVIDER_GEMINI_VERTEX_CONFIG_MISSING'],
  ['GOOGLE_GENAI_USE_VERTEXAI must be exactly "true"', 'auto', { GOOGLE_GENAI_USE_VERTEXAI: '1', GEMINI_API_KEY: 'k' }, 'api-key'],
  ['GOOGLE_GENAI_USE_GCA=true is the explicit Code Assist switch', 'auto', { GOOGLE_GENAI_USE_GCA: 'true' }, 'code-assist'],
  ['GCA beats Vertex and keys', 'auto', { GOOGLE_GENAI_USE_GCA: 'true', GOOGLE_GENAI_USE_VERTEXAI: 'true', GEMINI_API_KEY: 'k' }, 'code-assist'],
  ['GOOGLE_GENAI_USE_GCA other than "true" does not switch', 'auto', { GOOGLE_GENAI_USE_GCA: 'yes', GEMINI_API_KEY: 'k' }, 'api-key'],
  ['an access token alone never selects Code Assist', 'auto', { GOOGLE_CLOUD_ACCESS_TOKEN: 'tok' }, 'api-key'],
  ['compute ADC (Cloud Shell) is refused', 'auto', { CLOUD_SHELL: 'true' }, '!PROVIDER_GEMINI_AUTH_UNSUPPORTED'],
  ['compute ADC switch is refused', 'auto', { GEMINI_CLI_USE_COMPUTE_ADC: 'true' }, '!PROVIDER_GEMINI_AUTH_UNSUPPORTED'],
  ['GEMINI_API_KEY wins over Cloud Shell (checked first)', 'auto', { CLOUD_SHELL: 'true', GEMINI_API_KEY: 'k' }, 'api-key'],
  ['config mode code-assist switches it on without the env var', 'code-assist', {}, 'code-assist'],
  ['config mode api-key ignores GOOGLE_GENAI_USE_GCA', 'api-key', { GOOGLE_GENAI_USE_GCA: 'true' }, 'api-key'],
  ['config mode vertex checks its settings', 'vertex', {}, '!PROVIDER_GEMINI_VERTEX_CONFIG_MISSING'],
  ['config mode vertex with settings', 'vertex', { GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'global' }, 'vertex'],
]

t.test('decideAuthMode follows the table', async (t) => {
  for (const [name, configured, env, expected] of table) {
    const decision = decideAuthMode(configured, env)
    const got = decision.ok ? decision.mode : `!${decision.code}`
    t.equal(got, expected, name)
  }
})

t.test('base URLs: config, then env, then the reference defaults', async (t) => {
  t.equal(geminiBaseUrl(undefined, {}), undefined)
  t.equal(geminiBaseUrl(undefined, { GOOGLE_GEMINI_BASE_URL: 'http://gw' }), 'http://gw')
  t.equal(geminiBaseUrl('http://cfg', { GOOGLE_GEMINI_BASE_URL: 'http://gw' }), 'http://cfg')
  t.equal(vertexBaseUrl(undefined, { GOOGLE_CLOUD_LOCATION: 'us' }), 'https://aiplatform.us.rep.googleapis.com')
  t.equal(vertexBaseUrl(undefined, { GOOGLE_CLOUD_LOCATION: 'eu' }), 'https://aiplatform.eu.rep.googleapis.com')
  t.equal(vertexBaseUrl(undefined, { GOOGLE_CLOUD_LOCATION: 'us-central1' }), undefined, 'the SDK builds the regional host')
  t.equal(vertexBaseUrl(undefined, { GOOGLE_VERTEX_BASE_URL: 'http://v', GOOGLE_CLOUD_LOCATION: 'us' }), 'http://v')
  t.equal(codeAssistBase(undefined, {}), 'https://cloudcode-pa.googleapis.com/v1internal')
  t.equal(codeAssistBase(undefined, { CODE_ASSIST_ENDPOINT: 'http://ca', CODE_ASSIST_API_VERSION: 'v2' }), 'http://ca/v2')
})
