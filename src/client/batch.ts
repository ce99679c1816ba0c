/**
 * Pipelines and MULTI/EXEC transactions: commands collected first, then sent together in one
 * write. A transaction's MULTI … EXEC is contiguous on the wire, so it can share the multiplexed
 * connection; only WATCH needs a connection of its own (see Client.watch).
 */
import { performance } from 'node:perf_hooks';
import { createCommand, type Command, type ReplyTransform } from '../connection/index.js';
import { InvalidArgumentError } from '../errors.js';
import { redactArguments, type BatchEvent, type BatchKind, type BatchOutcome, type HookChain } from '../hooks/index.js';
import type { HookContext } from './command-hooks.js';
import { invalidArgument, ReplyError, type CommandArgument, type RespValue } from '../protocol/index.js';
import { installCommands, type ChainOf } from './command-spec.js';
import { COMMANDS, type Commands } from './commands/index.js';
import { blockingTimeout, replacementFor } from './routing.js';

/** Where a batch's commands go: the client's shared connection, or a WATCH scope's lease. */
export interface Executor {
  readonly returnBuffers: boolean;
  readonly hooks: HookChain;
  /** Where the batch goes, as hooks report it. */
  readonly context: HookContext;
  /**
   * Sends the commands in order in this event-loop turn; `exclusive` asks for a lease, held until
   * `settled` (which never rejects) resolves.
   */
  sendAll(commands: Command[], exclusive: boolean, settled: Promise<unknown>): void;
}

interface Queued {
  args: CommandArgument[];
  transform: ReplyTransform | undefined;
}

abstract class Batch {
  protected readonly executor: Executor;
  protected queued: Queued[] = [];

  constructor(executor: Executor) {
    this.executor = executor;
  }

  /** Commands queued so far. */
  get length(): number {
    return this.queued.length;
  }

  /** Queues any command, e.g. `.sendCommand(['OBJECT', 'ENCODING', 'k'])`. */
  sendCommand(args: CommandArgument[]): this {
    return this.add(args, undefined);
  }

  add(args: CommandArgument[], transform: ReplyTransform | undefined): this {
    const invalid = invalidArgument(args);
    if (invalid !== undefined) throw new InvalidArgumentError(`${String(args[0])}: ${invalid}`);
    // A batch shares the connection with everyone else: it must not change that connection's state.
    const name = String(args[0]).toUpperCase();
    const instead = name === 'SELECT' ? 'client.select()' : replacementFor(name);
    if (instead !== undefined) throw new InvalidArgumentError(`${name} cannot be queued in a pipeline or transaction; use ${instead}`);
    this.queued.push({ args, transform });
    return this;
  }

  protected take(): Queued[] {
    const queued = this.queued;
    this.queued = [];
    return queued;
  }

  protected startTrace(kind: BatchKind, queued: Queued[]): BatchTrace | undefined {
    const { hooks } = this.executor;
    const table = hooks.table;
    if (table.onBatchStart.length === 0 && table.onBatchEnd.length === 0) return undefined;
    const { context } = this.executor;
    const event: BatchEvent = {
      kind, size: queued.length, server: context.server, db: context.db, startTime: performance.now(),
      commands: queued.map((q) => ({ name: String(q.args[0]).toUpperCase(), args: redactArguments(q.args) })),
      duration: 0, connectionId: undefined, peer: undefined, outcomes: [], aborted: false, error: undefined,
    };
    const states = table.onBatchStart.map((hook) => hooks.call(hook, 'onBatchStart', event, undefined));
    return { event, table, states };
  }

  /** `last`: the batch's last command, whose connection is the one that served the batch in the end. */
  protected endTrace(trace: BatchTrace | undefined, last: Command, outcomes: BatchOutcome[], aborted: boolean, error: Error | undefined): void {
    if (trace === undefined) return;
    const { event, table, states } = trace;
    event.duration = performance.now() - event.startTime;
    event.connectionId = last.writtenTo?.id;
    event.peer = last.writtenTo?.peer;
    event.outcomes = outcomes;
    event.aborted = aborted;
    event.error = error;
    const ends = table.onBatchEnd;
    const index = table.stateIndex.onBatchEnd;
    for (let i = 0; i < ends.length; i++) {
      const at = index[i]!;
      this.executor.hooks.call(ends[i]!, 'onBatchEnd', event, at === -1 ? undefined : states[at]);
    }
  }
}

interface BatchTrace {
  event: BatchEvent;
  table: HookChain['table'];
  states: unknown[];
}

const noop = (): void => undefined;

const outcomeOf = (value: unknown): BatchOutcome => (value instanceof Error ? { error: value } : { reply: value });

/**
 * Commands sent together, each answered on its own. `exec()` resolves to one entry per command:
 * its reply, or the Error it got (errors do not reject the whole pipeline).
 */
export class Pipeline extends Batch {
  async exec(): Promise<unknown[]> {
    const queued = this.take();
    if (queued.length === 0) return [];
    const trace = this.startTrace('pipeline', queued);
    const exclusive = queued.some((q) => blockingTimeout(String(q.args[0]).toUpperCase(), q.args, 0) !== undefined);
    const commands: Command[] = [];
    const replies: Array<Promise<unknown>> = [];
    for (const { args, transform } of queued) {
      const [command, reply] = createCommand(args, this.executor.returnBuffers, transform);
      commands.push(command);
      replies.push(reply.then(undefined, (error: unknown) => error));
    }
    const all = Promise.all(replies);
    this.executor.sendAll(commands, exclusive, all);
    const results = await all;
    this.endTrace(trace, commands[commands.length - 1]!, results.map(outcomeOf), false, undefined);
    return results;
  }
}

/**
 * A MULTI/EXEC transaction. `exec()` resolves to one entry per command (its reply, or the
 * ReplyError it got at run time), or to null when a WATCHed key changed and EXEC was aborted.
 * It rejects when the server refused to queue a command (EXECABORT; `cause` is that error).
 */
export class Multi extends Batch {
  async exec(): Promise<unknown[] | null> {
    const queued = this.take();
    const trace = this.startTrace('transaction', queued);
    const { returnBuffers } = this.executor;
    const [multi, multiReply] = createCommand(['MULTI'], false);
    const queuedCommands: Command[] = [];
    const queuedReplies: Array<Promise<unknown>> = [];
    for (const { args } of queued) {
      const [command, reply] = createCommand(args, false);
      queuedCommands.push(command);
      queuedReplies.push(reply.then(undefined, (error: unknown) => error));
    }
    const [exec, execReply] = createCommand(['EXEC'], returnBuffers, undefined);
    this.executor.sendAll([multi, ...queuedCommands, exec], false, execReply.then(noop, noop));
    try {
      await multiReply;
      const queueErrors = (await Promise.all(queuedReplies)).filter((r): r is Error => r instanceof Error);
      let raw: RespValue;
      try {
        raw = (await execReply) as RespValue;
      } catch (error) {
        if (error instanceof ReplyError && queueErrors.length > 0) {
          throw Object.assign(new ReplyError(`${error.serverMessage} (first refused command: ${queueErrors[0]!.message})`), { cause: queueErrors[0] });
        }
        throw error;
      }
      if (raw === null) {
        this.endTrace(trace, exec, [], true, undefined);
        return null;
      }
      const results = (raw as RespValue[]).map((reply, i) => applyTransform(reply, queued[i]?.transform));
      this.endTrace(trace, exec, results.map(outcomeOf), false, undefined);
      return results;
    } catch (error) {
      this.endTrace(trace, exec, [], false, error as Error);
      throw error;
    }
  }
}

function applyTransform(reply: RespValue, transform: ReplyTransform | undefined): unknown {
  if (reply instanceof ReplyError || transform === undefined) return reply;
  try {
    return transform(reply);
  } catch (error) {
    return error;
  }
}

installCommands<Batch>(Pipeline.prototype, COMMANDS, (self, args, transform) => self.add(args, transform));
installCommands<Batch>(Multi.prototype, COMMANDS, (self, args, transform) => self.add(args, transform));

export interface Pipeline extends ChainOf<Commands, Pipeline> {}
export interface Multi extends ChainOf<Commands, Multi> {}
