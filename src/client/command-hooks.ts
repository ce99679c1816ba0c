import type { Command, CommandObserver } from '../connection/index.js';
import { redactArguments, turnNow, type CommandEvent, type Endpoint, type HookChain, type HookTable } from '../hooks/index.js';
import type { CommandArgument } from '../protocol/index.js';

/**
 * Where commands go now, as hooks report it: plain fields the client keeps current (on connect,
 * reconnect, swap and SELECT), because reading them is on every hooked command's path.
 */
export interface HookContext {
  readonly server: Endpoint;
  readonly db: number;
}

/**
 * The one object a hooked command allocates: it is the event hooks receive (start and end) and
 * it keeps the hook table the command started with and the states the start hooks returned. A
 * hook removed meanwhile still sees the end of what it saw start.
 */
class CommandRecord implements CommandEvent, CommandObserver {
  readonly name: string;
  readonly args: readonly CommandArgument[];
  readonly server: Endpoint;
  readonly db: number;
  readonly startTime: number;
  retries = 0;
  duration = 0;
  reply: unknown = undefined;
  error: Error | undefined = undefined;
  readonly #chain: HookChain;
  readonly #table: HookTable;

  /** The single start hook's state, or an array of them when several hooks implement start. */
  #states: unknown = undefined;

  // Only field stores, so that V8 inlines the constructor and the allocation where the record is
  // created (a constructor that also called hooks went through the generic construct stub).
  constructor(command: Command, context: HookContext, chain: HookChain, table: HookTable) {
    this.#chain = chain;
    this.name = command.name;
    this.args = redactArguments(command.args, command.name);
    this.server = context.server;
    this.db = context.db;
    this.startTime = turnNow();
    this.#table = table;
  }

  /** Calls every start hook; their states are kept for the end hooks. */
  started(): void {
    const starts = this.#table.onCommandStart;
    if (starts.length === 1) this.#states = start(this.#chain, starts[0]!, this);
    else if (starts.length > 1) this.#states = startAll(this.#chain, starts, this);
  }

  commandEnded(command: Command, reply: unknown, error: Error | undefined): void {
    const chain = this.#chain;
    this.duration = turnNow() - this.startTime;
    this.retries = command.retries;
    this.reply = reply;
    this.error = error;
    const ends = this.#table.onCommandEnd;
    const index = this.#table.stateIndex.onCommandEnd;
    const single = this.#table.onCommandStart.length === 1;
    for (let i = 0; i < ends.length; i++) {
      const at = index[i]!;
      const state = at === -1 ? undefined : single ? this.#states : (this.#states as unknown[] | undefined)?.[at];
      const hook = ends[i]!;
      try {
        const result = hook.onCommandEnd!(this, state);
        if (result !== undefined) chain.watch(hook, 'onCommandEnd', result);
      } catch (failure) {
        chain.fail(hook, 'onCommandEnd', failure);
      }
    }
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
  readonly #chain: HookChain;
  readonly #context: HookContext;

  constructor(chain: HookChain, context: HookContext) {
    this.#chain = chain;
    this.#context = context;
  }

  start(command: Command): void {
    const record = new CommandRecord(command, this.#context, this.#chain, this.#chain.table);
    command.observer = record;
    record.started();
  }
}
