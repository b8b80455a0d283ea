import type { CommandDefinition, Ids } from '../../../kernel/index.js'
import type { AuthStore, Role } from './store.js'
import { hashToken, newToken, tokenHint } from './tokens.js'

const USAGE = 'Usage: tokens create <user> [admin|member] [label...] | tokens list | tokens revoke <token-id>'
const USER_NAME = /^[a-z][a-z0-9._-]{0,63}$/

/** `npm run cli -- tokens create|list|revoke`: API tokens of named users (admin or member). */
export function tokensCommand(deps: { store: () => AuthStore; ids: () => Ids; now: () => Date }): CommandDefinition {
  return {
    id: 'tokens',
    description: 'API tokens: create <user> [admin|member] [label], list, revoke <id>',
    async run(args, io) {
      const [action, ...rest] = args
      const now = () => deps.now().toISOString()
      if (action === 'create') {
        const [name, roleArg, ...label] = rest
        const role = (roleArg ?? 'member') as Role
        if (!name || !USER_NAME.test(name) || (role !== 'admin' && role !== 'member')) {
          io.out(`${USAGE}\nA user name is lower case letters, digits, ".", "_" or "-" (starting with a letter); the role is admin or member.`)
          return 2
        }
        const user = await deps.store().ensureUser({ id: deps.ids().next('usr'), name, role, createdAt: now() })
        const token = newToken()
        const id = deps.ids().next('tok')
        await deps.store().addToken({ id, userId: user.id, label: label.join(' '), hint: tokenHint(token), hash: hashToken(token), createdAt: now() })
        io.out(`Token ${id} for ${user.name} (${user.role}${user.role !== role ? `; the user already existed with this role` : ''}):`)
        io.out(token)
        io.out('It is shown once: store it now. Send it as "Authorization: Bearer <token>".')
        return 0
      }
      if (action === 'list') {
        const tokens = await deps.store().list()
        if (tokens.length === 0) io.out('No tokens. Create one with: tokens create <user> [admin|member]')
        for (const k of tokens) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? 'never'}`
          io.out(`${k.id}  ${k.userName} (${k.role})  ${k.hint}…  ${k.label ? `"${k.label}"  ` : ''}created ${k.createdAt}  ${state}`)
        }
        return 0
      }
      if (action === 'revoke' && rest[0]) {
        const revoked = await deps.store().revoke(rest[0], now())
        io.out(revoked ? `Revoked ${rest[0]}.` : `No live token "${rest[0]}" (see tokens list).`)
        return revoked ? 0 : 1
      }
      io.out(USAGE)
      return 2
    },
  }
}
