import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { MikroORM } from '@mikro-orm/core'
import { PostgreSqlDriver } from '@mikro-orm/postgresql'
import { mkdirSync, writeFileSync } from 'node:fs'
import { ENTITIES } from './entities.js'
const dir = process.argv[2]
if (dir !== 'memory://') { mkdirSync(dir, { recursive: true }); writeFileSync(dir + '/server.lock', '{}') }
let t0 = performance.now()
const db = await PGlite.create(dir)
console.log('pglite ms', performance.now() - t0); t0 = performance.now()
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 20 })
await server.start()
console.log('socket ms', performance.now() - t0, server.getServerConn()); t0 = performance.now()
const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: `postgres://postgres@${server.getServerConn()}/postgres`, entities: ENTITIES, schema: 'zz_gen', debug: false, ensureDatabase: false, pool: { min: 0, max: 10 } })
console.log('orm ms', performance.now() - t0); t0 = performance.now()
console.log(await orm.em.getConnection().execute('select version()'))
await orm.schema.updateSchema()
console.log('schema ms', performance.now() - t0); t0 = performance.now()
await Promise.all([1,2,3,4,5].map(() => orm.em.getConnection().execute('select pg_sleep(0.01)')))
console.log('parallel ms', performance.now() - t0); t0 = performance.now()
await orm.close(); await server.stop(); await db.close()
console.log('close ms', performance.now() - t0)
