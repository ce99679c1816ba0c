import { HitlessError } from '../errors.js';

/** No connection could be leased in time because `maxActiveConns` connections are in use. */
export class PoolTimeoutError extends HitlessError {
  constructor(message: string) {
    super(message, 'ERR_POOL_TIMEOUT');
  }
}
