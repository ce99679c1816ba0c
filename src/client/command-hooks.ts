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
} from '../hooks/index.js';
import type { CommandArgument } from '../protocol/index.js';

/**
 * Where commands go now, as hooks report it. An immutable snapshot, replaced (never changed) on
 * connect, swap and SELECT, so that a command keeps one reference to where it started.
 */
export interface HookContext {
  readonly server: Endpoint;
  readonly db: number;
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
  reply: unknown = undefined;
  error: Error | undefined = undefined;
  readonly #command: Command;
  readonly #where: HookContext;
  readonly #table: HookTable;
  readonly #start: Instant;
  #end: Instant | undefined = undefined;
  /** The single start hook's state, or an array of them when several hooks implement start. */
  #states: unknown = undefined;

  // Only field stores, so that V8 inlines the constructor and the allocation where the record is
  // created (a constructor that also called hooks went through the generic construct stub).
  constructor(command: Command, where: HookContext, table: HookTable, start: Instant) {
    this.#command = command;
    this.#where = where;
    this.#table = table;
    this.#start = start;
  }

  get name(): string {
    return this.#command.name;
  }

  get args(): readonly CommandArgument[] {
    return redactArguments(this.#command.args, this.#command.name);
  }

  get server(): Endpoint {
    return this.#where.server;
  }

  get db(): number {
    return this.#where.db;
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
    const { name, args, server, db, startTime, retries, duration, reply, error } = this;
    return { name, args, server, db, startTime, retries, duration, reply, error };
  }

  [inspect](): CommandEventSnapshot {
    return this.toJSON();
  }

  /** Calls every start hook; their states are kept for the end hooks. */
  started(): void {
    const starts = this.#table.onCommandStart;
    if (starts.length === 1) this.#states = start(this.#table.chain, starts[0]!, this);
    else if (starts.length > 1) this.#states = startAll(this.#table.chain, starts, this);
  }

  commandEnded(reply: unknown, error: Error | undefined): void {
    this.#end = turnInstant();
    this.reply = reply;
    this.error = error;
    const table = this.#table;
    const ends = table.onCommandEnd;
    // `=== true`: a plain truthiness test of a table field compiles to a generic ToBoolean.
    if (table.pairedCommandHook === true) {
      end(table.chain, ends[0]!, this, this.#states);
      return;
    }
    const index = table.stateIndex.onCommandEnd;
    const single = table.onCommandStart.length === 1;
    for (let i = 0; i < ends.length; i++) {
      const at = index[i]!;
      end(table.chain, ends[i]!, this, at === -1 ? undefined : single ? this.#states : (this.#states as unknown[] | undefined)?.[at]);
    }
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
  /** Where commands go now; replaced by the client when that changes. */
  where: HookContext;
  readonly #chain: HookChain;

  constructor(chain: HookChain, where: HookContext) {
    this.#chain = chain;
    this.where = where;
  }

  start(command: Command): void {
    // The clock is read before the record is allocated, so that every store into the new record
    // follows its allocation directly and needs no write barrier.
    const now = turnInstant();
    const record = new CommandRecord(command, this.where, this.#chain.table, now);
    command.observer = record;
    record.started();
  }
}
