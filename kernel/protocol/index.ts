export * from './records.js'
export * from './events.js'
export * from './routes.js'
export type * from './system.js'
