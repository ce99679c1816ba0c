import { HitlessError } from '../errors.js';

/**
 * A maintenance push notification did not have the shape its type requires. It is never acted on:
 * no timeout is relaxed and nothing is dialled for it. `field` names the offending element
 * (`seq`, `time_s`, `endpoint`, `slots[0]`, `moves[1]`, …).
 */
export class NotificationError extends HitlessError {
  /** The notification's type (`MOVING`, …), or the first element's text when that is not a known type. */
  readonly notificationType: string;
  /** Which element was wrong. */
  readonly field: string;

  constructor(notificationType: string, field: string, message: string) {
    super(message, 'ERR_INVALID_NOTIFICATION');
    this.notificationType = notificationType;
    this.field = field;
  }
}

/**
 * `mode: 'enabled'` could not be honoured on a connection: the server speaks RESP2 only
 * (`ERR_MAINT_RESP2`) or refused `CLIENT MAINT_NOTIFICATIONS` (`ERR_MAINT_REFUSED`; `cause` is
 * the server's error). The connection fails; `auto` mode would have carried on without them.
 */
export class MaintNotificationsError extends HitlessError {
  constructor(message: string, code: 'ERR_MAINT_RESP2' | 'ERR_MAINT_REFUSED', options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/**
 * A MOVING handoff did not happen. `code` says why: `ERR_HANDOFF_QUEUE_FULL`,
 * `ERR_HANDOFF_CIRCUIT_OPEN`, `ERR_HANDOFF_TIMEOUT` (one attempt took longer than
 * handoffTimeout), `ERR_HANDOFF_FAILED` (retries used up; `cause` is the last attempt's error),
 * `ERR_HANDOFF_CONNECTION_CLOSED` (the connection went away first), `ERR_HANDOFF_NOT_ALLOWED`
 * (the endpoint is outside allowedEndpoints), `ERR_HANDOFF_INVALID_ENDPOINT` (a notification hook
 * rewrote it into something that cannot be dialled). None of these fails a command: the old connection
 * serves until the server closes it, then ordinary reconnection takes over. `ERR_HANDOFF_WATCH`
 * is the one a caller sees: a `watch()` transaction whose connection was moved meanwhile.
 */
export class HandoffError extends HitlessError {
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
