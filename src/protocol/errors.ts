import { HitlessError } from '../errors.js';

/**
 * An error reply from the server (`-ERR ...`, `-WRONGTYPE ...`, or a RESP3 blob error).
 * `code` is the server's prefix: the first word of the message when it is upper case
 * (`ERR`, `WRONGTYPE`, `MOVED`, `NOAUTH`, ...), like the server's own convention.
 */
export class ReplyError extends HitlessError {
  /** The full text the server sent, prefix included. */
  readonly serverMessage: string;
  /** The command that got this reply, once the connection has matched it (e.g. `GET`). */
  command?: string;

  constructor(serverMessage: string) {
    super(serverMessage, replyErrorCode(serverMessage));
    this.serverMessage = serverMessage;
  }
}

function replyErrorCode(message: string): string {
  const space = message.indexOf(' ');
  const first = space === -1 ? message : message.slice(0, space);
  return first.length > 0 && /^[A-Z][A-Z0-9_-]*$/.test(first) ? first : 'ERR';
}

/** The byte stream from the server broke the protocol. The connection that saw it is closed. */
export class ProtocolError extends HitlessError {
  constructor(message: string) {
    super(message, 'ERR_PROTOCOL');
  }
}
