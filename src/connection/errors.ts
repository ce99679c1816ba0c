import { HitlessError } from '../errors.js';

/**
 * The connection to `host:port` failed, closed, or could not be made. `code` says which:
 * `ERR_CONNECTION` (lost or refused), `ERR_CONNECT_TIMEOUT`, `ERR_CONNECTION_CLOSED` (closed while
 * the command waited), `ERR_OFFLINE_QUEUE_FULL`, `ERR_PENDING_COMMANDS_FULL` (maxPendingCommands
 * reached on the connection), `ERR_NOT_CONNECTED`.
 */
export class ConnectionError extends HitlessError {
  constructor(message: string, code = 'ERR_CONNECTION', options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/** A command already written got no reply in time. `command` names it. */
export class TimeoutError extends HitlessError {
  readonly command: string;
  readonly timeout: number;

  constructor(message: string, command: string, timeout: number) {
    super(message, 'ERR_TIMEOUT');
    this.command = command;
    this.timeout = timeout;
  }
}
