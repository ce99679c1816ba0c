import type { CommandArgument, RespValue } from '../protocol/index.js';

/** Told when a command settles; the client sets one (the hook record) only when hooks listen for command events. */
export interface CommandObserver {
  commandEnded(reply: unknown, error: Error | undefined): void;
}

/** Turns the decoded reply into what the caller gets (e.g. a flat RESP2 array into an object). */
export type ReplyTransform = (reply: RespValue) => unknown;

/** Timeout value meaning "use the connection's command timeout". */
export const DEFAULT_TIMEOUT = -1;

/**
 * One command on its way through a connection: its arguments (encoded only when written, so a
 * command can move to another connection untouched), how to settle its promise, and the
 * bookkeeping timeouts and hooks need.
 */
export class Command {
  readonly args: readonly CommandArgument[];
  readonly name: string;
  readonly returnBuffers: boolean;
  readonly transform: ReplyTransform | undefined;
  /** Milliseconds to wait for the reply once written; 0 = forever; DEFAULT_TIMEOUT = connection default. */
  readonly timeout: number;
  /** `performance.now()` when written to a socket. */
  writtenAt = 0;
  /** Times the command was moved to a new connection before being written for good. */
  retries = 0;
  /** Pub/sub confirmations (push frames) still expected before the command is answered. */
  confirmations = 0;
  observer: CommandObserver | undefined = undefined;
  #resolve: (value: unknown) => void;
  #reject: (error: Error) => void;
  #settled = false;

  constructor(
    args: readonly CommandArgument[],
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
    returnBuffers: boolean,
    transform?: ReplyTransform,
    timeout: number = DEFAULT_TIMEOUT,
    name: string = commandName(args),
  ) {
    this.args = args;
    this.name = name;
    this.#resolve = resolve;
    this.#reject = reject;
    this.returnBuffers = returnBuffers;
    this.transform = transform;
    this.timeout = timeout;
  }

  get settled(): boolean {
    return this.#settled;
  }

  succeed(reply: RespValue): void {
    if (this.#settled) return;
    let value: unknown = reply;
    if (this.transform !== undefined) {
      try {
        value = this.transform(reply);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    this.#settled = true;
    this.#resolve(value);
    if (this.observer !== undefined) this.observer.commandEnded(value, undefined);
  }

  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
    if (this.observer !== undefined) this.observer.commandEnded(undefined, error);
  }
}

/** The upper-case command name (its first argument). */
export function commandName(args: readonly CommandArgument[]): string {
  const first = args[0];
  return (typeof first === 'string' ? first : String(first)).toUpperCase();
}

/**
 * Creates a command and the promise it settles. `name` is its upper-case name when the caller
 * knows it (typed commands do), which spares an upper-casing per command.
 */
export function createCommand(
  args: readonly CommandArgument[],
  returnBuffers: boolean,
  transform?: ReplyTransform,
  timeout?: number,
  name?: string,
): [Command, Promise<unknown>] {
  let command!: Command;
  const promise = new Promise<unknown>((resolve, reject) => {
    command = new Command(args, resolve, reject, returnBuffers, transform, timeout, name);
  });
  return [command, promise];
}
