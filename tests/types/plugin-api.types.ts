/**
 * Type tests, checked by `npm run typecheck` (tsc): every @ts-expect-error line must be an error.
 * Nothing here runs.
 */
import { z } from 'zod'
import { definePlugin, defineTool, RequestBuildStage } from '../../kernel/index.js'

definePlugin({
  name: 'types-probe',
  configSchema: z.object({ size: z.number().default(1) }),
  register(ctx) {
    const size: number = ctx.options.size
    void size
    // @ts-expect-error options are typed from the schema
    const missing: string = ctx.options.colour
    void missing

    // A waterfall tap must return the request.
    ctx.hooks.request.build.tapPromise({ stage: RequestBuildStage.AUTH }, async (request) => request)
    // @ts-expect-error a waterfall tap that returns nothing
    ctx.hooks.request.build.tapPromise({}, async () => undefined)
    // @ts-expect-error the facade has no tapAsync
    ctx.hooks.request.build.tapAsync({}, () => undefined)
    // @ts-expect-error sync hooks have no tapPromise
    ctx.hooks.stream.textDelta.tapPromise({}, async () => undefined)
    // @ts-expect-error hook arguments are typed: textDelta's first argument is a string
    ctx.hooks.stream.textDelta.tap({}, (delta: number) => void delta)
    // @ts-expect-error the tap name comes from the plugin id, not from options
    ctx.hooks.lifecycle.start.tapPromise({ name: 'someone-else' }, async () => undefined)
    // A bail hook may answer nothing or a rejection.
    ctx.hooks.request.admit.tapPromise({}, async () => undefined)
    ctx.hooks.request.admit.tapPromise({}, async () => ({ code: 'X_OVER_BUDGET', message: 'over budget' }))
    // @ts-expect-error a rejection needs a code and a message
    ctx.hooks.request.admit.tapPromise({}, async () => ({ reason: 'no' }))
    // @ts-expect-error unknown hooks do not exist on the frozen groups
    ctx.hooks.request.rebuild.tap({}, () => undefined)
  },
})

defineTool({
  name: 'read_probe',
  description: 'probe',
  kind: 'read',
  inputSchema: z.object({ path: z.string() }),
  subject: (args) => args.path,
  async execute(args) {
    return { output: args.path }
  },
})

// @ts-expect-error a tool needs execute
defineTool({ name: 'no_execute', description: 'x', kind: 'read', inputSchema: z.object({}) })

defineTool({
  name: 'bad_kind',
  description: 'x',
  // @ts-expect-error kinds are a closed set
  kind: 'teleport',
  inputSchema: z.object({}),
  async execute() {
    return { output: '' }
  },
})

defineTool({
  name: 'typed_args',
  description: 'x',
  kind: 'read',
  inputSchema: z.object({ count: z.number() }),
  async execute(args) {
    // @ts-expect-error args are typed from the input schema
    const text: string = args.count
    return { output: text }
  },
})
