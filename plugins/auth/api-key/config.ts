import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

const providerId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a provider id such as anthropic, openai, gemini')
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as DASHSCOPE_API_KEY')

export const configSchema = z
  .object({
    /**
     * A key per provider, written with env() (`{ anthropic: env('MY_ANTHROPIC_KEY', { optional: true }) }`).
     * Highest precedence (CredentialPrecedence.CONFIG).
     */
    keys: z.record(providerId, secretSchema).default({}),
    /**
     * A key file per provider (`{ anthropic: '~/.keys/anthropic' }`): the whole content, trimmed; `~`
     * is the home directory, relative paths resolve against the working directory; read at call time.
     */
    keyFiles: z.record(providerId, z.string().min(1)).default({}),
    /**
     * Environment variable names per provider, in order; replaces the built-in list for that provider
     * (`{ qwen: ['DASHSCOPE_API_KEY'] }`; `[]` turns environment keys off for it).
     */
    env: z.record(providerId, z.array(envName)).default({}),
  })
  .strict()

export type AuthApiKeyOptions = z.output<typeof configSchema>
