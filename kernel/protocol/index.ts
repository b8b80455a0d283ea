export * from './records.js'
export * from './events.js'
export * from './routes.js'
export * from './system.js'
