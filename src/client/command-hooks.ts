import type { Command, CommandObserver } from '../connection/index.js';
import {
  redactArguments,
  turnInstant,
  type CommandEvent,
  type CommandEventSnapshot,
  type Endpoint,
  type Hook,
  type HookChain,
  type HookTable,
  type Instant,
  type PeerAddress,
} from '../hooks/index.js';
import type { CommandArgument } from '../protocol/index.js';

/**
 * Where commands go now, as hooks report it, and the hooks they see. An immutable snapshot,
 * replaced (never changed) on connect, swap, SELECT and when hooks are added or removed, so that
 * a command keeps one reference to where it started and to the hooks that saw it start.
 */
export interface HookContext {
  readonly server: Endpoint;
  readonly db: number;
  readonly table: HookTable;
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * The one object a hooked command allocates: the event hooks receive at start and end. It is a
 * view: its fields are read from the command, the context and the turn clock when a hook reads
 * them, so a hook pays only for what it reads (a counting hook reads nothing), and nothing is
 * copied per command. It also keeps the hook table the command started with, so a hook removed
 * meanwhile still sees the end of what it saw start, and the states start hooks returned.
 */
class CommandRecord implements CommandEvent, CommandObserver {
  // `declare`: assigned in the constructor rather than by a field initialiser, which V8 compiles to
  // a function of its own that it must also inline into the command path (see Command).
  declare reply: unknown;
  declare error: Error | undefined;
  readonly #command: Command;
  readonly #context: HookContext;
  readonly #start: Instant;
  #end: Instant | undefined;
  /** The single start hook's state, or an array of them when several hooks implement start. */
  #states: unknown;

  // Only field stores, so that V8 inlines the constructor and the allocation where the record is
  // created (a constructor that also called hooks went through the generic construct stub).
  constructor(command: Command, context: HookContext, start: Instant) {
    this.#command = command;
    this.#context = context;
    this.#start = start;
    this.reply = undefined;
    this.error = undefined;
  }

  get name(): string {
    return this.#command.name;
  }

  get args(): readonly CommandArgument[] {
    return redactArguments(this.#command.args, this.#command.name);
  }

  get server(): Endpoint {
    return this.#context.server;
  }

  get db(): number {
    return this.#context.db;
  }

  get connectionId(): number | undefined {
    return this.#command.writtenTo?.id;
  }

  get peer(): PeerAddress | undefined {
    return this.#command.writtenTo?.peer;
  }

  get retries(): number {
    return this.#command.retries;
  }

  get startTime(): number {
    return this.#start.time;
  }

  get duration(): number {
    return this.#end === undefined ? 0 : this.#end.time - this.#start.time;
  }

  toJSON(): CommandEventSnapshot {
    const { name, args, server, connectionId, peer, db, startTime, retries, duration, reply, error } = this;
    return { name, args, server, connectionId, peer, db, startTime, retries, duration, reply, error };
  }

  [inspect](): CommandEventSnapshot {
    return this.toJSON();
  }

  /**
   * Calls the one start hook and keeps its state for the end hooks. Its call is written out here
   * rather than shared with `startedAll`: one function fewer for V8 to inline into the command
   * path, which is at the limit of what V8 inlines into one function.
   */
  started(hook: Hook): void {
    try {
      const state = hook.onCommandStart!(this);
      // Most hooks return nothing; only a returned value can be a promise to watch.
      if (state !== undefined) {
        this.#context.table.chain.watch(hook, 'onCommandStart', state);
        this.#states = state;
      }
    } catch (failure) {
      this.#context.table.chain.fail(hook, 'onCommandStart', failure);
    }
  }

  /** Calls several start hooks; their states are kept for the end hooks. */
  startedAll(starts: HookTable['onCommandStart']): void {
    this.#states = startAll(this.#context.table.chain, starts, this);
  }

  commandEnded(reply: unknown, error: Error | undefined): void {
    this.#end = turnInstant();
    this.reply = reply;
    this.error = error;
    const table = this.#context.table;
    const paired = table.pairedCommandHook;
    if (paired === undefined) return endAll(table, this, this.#states);
    // The paired hook's call is written out, as in `started`.
    try {
      const result = paired.onCommandEnd!(this, this.#states);
      if (result !== undefined) table.chain.watch(paired, 'onCommandEnd', result);
    } catch (failure) {
      table.chain.fail(paired, 'onCommandEnd', failure);
    }
  }
}

/**
 * Calls every end hook with the state its start returned (found through the table's index).
 * Out of `commandEnded`, which V8 inlines where replies are read: a single metrics or tracing
 * hook never comes here.
 */
function endAll(table: HookTable, event: CommandEvent, states: unknown): void {
  const ends = table.onCommandEnd;
  const index = table.stateIndex.onCommandEnd;
  const single = table.onCommandStart.length === 1;
  for (let i = 0; i < ends.length; i++) {
    const at = index[i]!;
    end(table.chain, ends[i]!, event, at === -1 ? undefined : single ? states : (states as unknown[] | undefined)?.[at]);
  }
}

function end(chain: HookChain, hook: Hook, event: CommandEvent, state: unknown): void {
  try {
    const result = hook.onCommandEnd!(event, state);
    if (result !== undefined) chain.watch(hook, 'onCommandEnd', result);
  } catch (failure) {
    chain.fail(hook, 'onCommandEnd', failure);
  }
}

/**
 * Calls several start hooks. Their states go in an array, allocated only once one of them
 * returns a state (counting hooks never do, spans do). Kept out of `started` so that the common
 * single-hook path stays small enough for V8 to inline.
 */
function startAll(chain: HookChain, starts: HookTable['onCommandStart'], event: CommandEvent): unknown[] | undefined {
  let states: unknown[] | undefined;
  for (let i = 0; i < starts.length; i++) {
    const state = start(chain, starts[i]!, event);
    if (state !== undefined) (states ??= new Array<unknown>(starts.length))[i] = state;
  }
  return states;
}

function start(chain: HookChain, hook: NonNullable<HookTable['onCommandStart'][number]>, event: CommandEvent): unknown {
  try {
    const state = hook.onCommandStart!(event);
    // Most hooks return nothing; only a returned value can be a promise to watch.
    if (state !== undefined) chain.watch(hook, 'onCommandStart', state);
    return state;
  } catch (failure) {
    chain.fail(hook, 'onCommandStart', failure);
    return undefined;
  }
}

/**
 * Fires onCommandStart/onCommandEnd. The client calls `start` only when some hook implements one
 * of them, so a client without such hooks allocates nothing here.
 */
export class CommandHooks {
  /** Where commands go now and the hooks they see; replaced when either changes. */
  context: HookContext;
  readonly #chain: HookChain;

  constructor(chain: HookChain, server: Endpoint, db: number) {
    this.#chain = chain;
    this.context = { server, db, table: chain.table };
  }

  /** Commands go to `server`, database `db`, from now on. */
  moved(server: Endpoint, db: number): void {
    this.context = { server, db, table: this.#chain.table };
  }

  /** Hooks were added or removed: commands from now on see the new table. */
  hooksChanged(): void {
    this.moved(this.context.server, this.context.db);
  }

  start(command: Command): void {
    const context = this.context;
    const table = context.table;
    // The clock is read before the record is allocated, so that every store into the new record
    // follows its allocation directly and needs no write barrier.
    const record = new CommandRecord(command, context, turnInstant());
    command.observer = record;
    const sole = table.soleCommandStart;
    if (sole !== undefined) record.started(sole);
    else if (table.onCommandStart.length !== 0) record.startedAll(table.onCommandStart);
  }
}
