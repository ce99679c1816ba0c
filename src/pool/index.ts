export {
  DEFAULT_BACKOFF, exponentialBackoff, retryWithBackoff, type BackoffOptions, type ReconnectStrategy, type RetryOptions, type RetryOutcome,
} from './backoff.js';
export { PoolTimeoutError } from './errors.js';
export { Lease, Pool, type ConnectionInfo, type ConnectionListRole, type PoolEvents, type PoolOptions, type PoolSizing, type SwapResult } from './pool.js';
export { SharedConnection, type SharedConnectionEvents, type SharedState } from './shared-connection.js';
