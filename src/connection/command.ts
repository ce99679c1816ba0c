import type { CommandArgument, RespValue } from '../protocol/index.js';
import type { WrittenTo } from './types.js';

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
  // Every field is declared and assigned in the constructor, none initialised in its declaration:
  // field initialisers compile to a separate function that V8 must inline too, and the command
  // path of a client (with hooks) is at the limit of what V8 inlines into one function.
  declare readonly args: readonly CommandArgument[];
  declare readonly name: string;
  declare readonly returnBuffers: boolean;
  declare readonly transform: ReplyTransform | undefined;
  /** Milliseconds to wait for the reply once written; 0 = forever; DEFAULT_TIMEOUT = connection default. */
  declare readonly timeout: number;
  /** `performance.now()` when written to a socket. */
  declare writtenAt: number;
  /** The connection it was written to last; undefined until written. */
  declare writtenTo: WrittenTo | undefined;
  /** Times the command was moved to a new connection before being written for good. */
  declare retries: number;
  /** Pub/sub confirmations (push frames) still expected before the command is answered. */
  declare confirmations: number;
  declare observer: CommandObserver | undefined;
  private declare resolveReply: (value: unknown) => void;
  private declare rejectReply: (error: Error) => void;
  private declare done: boolean;

  constructor(
    args: readonly CommandArgument[],
    returnBuffers: boolean,
    transform?: ReplyTransform,
    timeout: number = DEFAULT_TIMEOUT,
    name: string = commandName(args),
  ) {
    this.args = args;
    this.name = name;
    this.resolveReply = noSettle;
    this.rejectReply = noSettle;
    this.returnBuffers = returnBuffers;
    this.transform = transform;
    this.timeout = timeout;
    this.writtenAt = 0;
    this.writtenTo = undefined;
    this.retries = 0;
    this.confirmations = 0;
    this.observer = undefined;
    this.done = false;
  }

  /** Called once, by the promise `createCommand` returns, with what settles it. */
  settlesWith(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
    this.resolveReply = resolve;
    this.rejectReply = reject;
  }

  get settled(): boolean {
    return this.done;
  }

  succeed(reply: RespValue): void {
    if (this.done) return;
    let value: unknown = reply;
    if (this.transform !== undefined) {
      try {
        value = this.transform(reply);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    this.done = true;
    this.resolveReply(value);
    if (this.observer !== undefined) this.observer.commandEnded(value, undefined);
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.rejectReply(error);
    if (this.observer !== undefined) this.observer.commandEnded(undefined, error);
  }
}

/** What a command settles with until its promise hands it the real functions (synchronously). */
function noSettle(): void {}

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
  // The command is built outside the promise's executor: V8 inlines calls into the hot command
  // path by frequency, and a constructor nested in the executor comes last and misses the budget.
  const command = new Command(args, returnBuffers, transform, timeout, name);
  const promise = new Promise<unknown>((resolve, reject) => command.settlesWith(resolve, reject));
  return [command, promise];
}
