import { HitlessError } from '../errors.js';

/**
 * The connection to `host:port` failed, closed, or could not be made. `code` says which:
 * `ERR_CONNECTION` (lost or refused), `ERR_CONNECT_TIMEOUT`, `ERR_CONNECTION_LOST` (the command
 * was written and its connection died before the reply: it may or may not have run),
 * `ERR_CONNECTION_CLOSED` (the connection was closed before the command was written: it did not
 * run), `ERR_OFFLINE_QUEUE_FULL`, `ERR_PENDING_COMMANDS_FULL` (maxPendingCommands
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
