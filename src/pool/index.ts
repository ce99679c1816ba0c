export { DEFAULT_BACKOFF, exponentialBackoff, type BackoffOptions, type ReconnectStrategy } from './backoff.js';
export { PoolTimeoutError } from './errors.js';
export { Lease, Pool, type ConnectionInfo, type ConnectionListRole, type PoolEvents, type PoolOptions, type PoolSizing } from './pool.js';
export { SharedConnection, type SharedConnectionEvents, type SharedState } from './shared-connection.js';
