import { MikroORM } from '@mikro-orm/core'
import { PostgreSqlDriver } from '@mikro-orm/postgresql'
import { ENTITIES } from './entities.js'
const t0 = performance.now()
const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: 'postgresql://postgres@127.0.0.1:5432/test', entities: ENTITIES, schema: 'zz_gen', debug: false, ensureDatabase: false })
console.log('init ms', performance.now() - t0)
console.log(await orm.schema.getCreateSchemaSQL({ wrap: false }))
await orm.close()
