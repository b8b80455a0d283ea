import { defineConfig, env } from '../kernel/index.js'

/**
 * THE config file. Every plugin is listed: `true` = defaults, `false` = off, an object = options.
 * Secrets are referenced by environment variable name with env(), never written here.
 * Pick another file with: npm start -- --config <file>
 */
export default defineConfig({
  kernel: {
    dataDir: '.data',
    defaultAgent: 'demo',
    agents: {
      demo: {
        name: 'Demo',
        description: 'A scripted agent that answers without any API key.',
        systemPrompt: 'You are the demo agent of Agent Platform.',
        provider: 'scripted',
        model: 'demo',
        tools: '*',
      },
    },
    limits: { maxSteps: 50, parallelTools: 4, eventRetention: 10_000 },
  },
  plugins: {
    // Unset or empty DATABASE_URL -> embedded PGlite under <dataDir>/pglite.
    'persistence-postgres': { url: env('DATABASE_URL', { optional: true }) },
    // Unset or empty REDIS_URL -> the kernel's in-memory event bus, locks and key-value store.
    'realtime-redis': { url: env('REDIS_URL', { optional: true }) },
    'jobs-agenda': { maintenanceEveryMs: 60_000 },
    'server-http': { host: '127.0.0.1', port: 8787 },
    // API tokens of users (admin, member): on loopback no token is needed (the local admin); any other host needs them.
    // npm run cli -- tokens create <user> [admin|member]; PLATFORM_API_TOKEN is accepted as a bootstrap admin token.
    'server-auth': { rateLimitPerMinute: 600, corsOrigins: [] },
    // GET /api/system, a system.metrics event each second on the global stream, Prometheus text at /metrics.
    'monitor-system': { intervalMs: 1000, emitEvents: true, prometheus: true },
    // Credentials: stored encrypted (key ring from PLATFORM_VAULT_KEYS, else <dataDir>/vault.key, 0600).
    'auth-vault': { keys: env('PLATFORM_VAULT_KEYS', { optional: true }) },
    // API keys: config, key files, stored keys, then the reference env vars (ANTHROPIC_API_KEY, ...).
    'auth-api-key': true,
    // Subscription logins through the API (PKCE loopback/paste, device code) with background refresh.
    // Anthropic and Google logins are restricted by their providers' terms: off unless enabled here
    // (for Google, GOOGLE_GENAI_USE_GCA=true also counts as enabling it, as in gemini-cli).
    'auth-oauth': { anthropic: { enabled: false }, codex: { enabled: true }, gemini: {} },
    // read_file, write_file, edit_file, list_dir, glob, grep inside the session workspace.
    'tool-fs': true,
    // run_command in the session workspace (process group, timeout, full output kept).
    'tool-shell': { timeoutMs: 120_000, allowNetwork: true },
    // web_fetch with an SSRF guard (loopback, private, link-local and metadata addresses refused).
    'tool-web': { allowHosts: [] },
    // Agents from config/agents/*.md (frontmatter + system prompt) and the API; AGENTS.md, LLXPRT.md,
    // GEMINI.md and CLAUDE.md from the workspace up to the git root join the system prompt.
    'agent-personas': true,
    // The task tool: delegate to another configured agent, run as a child session (depth 3, 8 per turn).
    'agent-subagents': { maxDepth: 3, maxChildrenPerTurn: 8 },
    // execute_code: JavaScript in a child process under Node's permission model, time and memory limits.
    // Python is NOT contained beyond limits (it can read what the server's user can): off by default.
    'tool-code-exec': { python: false },
    // MCP servers (stdio, http, sse): their tools as <server>__<tool>; add servers here or through /api/mcp/servers.
    'mcp-client': { servers: {} },
    // Tokens and cost of every model call (ledger, attribution, totals), /api/sessions/:id/usage, /api/usage,
    // usage.updated events. Prices from the shipped catalogue; override per model in `pricing`, e.g.
    // { 'anthropic/claude-sonnet-4-5': { input: '3', output: '15' } }; budgets: { session: { usd: '5' }, day: { usd: '50' } }.
    'usage-metering': { pricing: {}, budgets: {} },
    // Allow / ask / deny rules per tool and subject; with no rule: reads allowed, the rest asked.
    'permission-policy': { admin: [], rules: [], denyEnvFiles: true },
    'provider-scripted': { chunkDelayMs: 25 },
    'provider-anthropic': true,
    // openai (Chat Completions), openai-responses, codex; keys from OPENAI_API_KEY, the codex login from auth-oauth.
    'provider-openai': { providers: ['openai', 'openai-responses', 'codex'] },
    // Gemini API key (GEMINI_API_KEY / GOOGLE_API_KEY), Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true), or Code Assist
    // with a Google login (only with GOOGLE_GENAI_USE_GCA=true), decided as gemini-cli does.
    'provider-gemini': { mode: 'auto' },
    // One provider per endpoint; `qwen` (DashScope, DASHSCOPE_API_KEY) is built in.
    'provider-openai-compatible': { endpoints: {} },
  },
})
