import { performance } from 'node:perf_hooks';
import type { Command, CommandObserver } from '../connection/index.js';
import { redactArguments, type CommandEvent, type Endpoint, type HookChain, type HookTable } from '../hooks/index.js';

interface Trace {
  readonly event: CommandEvent;
  readonly table: HookTable;
  readonly states: unknown[] | undefined;
}

/**
 * Fires onCommandStart/onCommandEnd. The client calls `start` only when some hook implements one
 * of them, so a client without such hooks allocates nothing here. A command keeps the hook table
 * it started with: a hook removed meanwhile still sees the end of what it saw start.
 */
export class CommandHooks implements CommandObserver {
  readonly #chain: HookChain;
  readonly #context: () => { server: Endpoint; db: number };

  constructor(chain: HookChain, context: () => { server: Endpoint; db: number }) {
    this.#chain = chain;
    this.#context = context;
  }

  start(command: Command): void {
    const table = this.#chain.table;
    const { server, db } = this.#context();
    const event: CommandEvent = {
      name: command.name, args: redactArguments(command.args), server, db, startTime: performance.now(),
      retries: 0, duration: 0, reply: undefined, error: undefined,
    };
    const starts = table.onCommandStart;
    let states: unknown[] | undefined;
    if (starts.length > 0) {
      states = new Array<unknown>(starts.length);
      for (let i = 0; i < starts.length; i++) states[i] = this.#chain.call(starts[i]!, 'onCommandStart', event, undefined);
    }
    command.observer = this;
    command.trace = { event, table, states } satisfies Trace;
  }

  commandEnded(command: Command, reply: unknown, error: Error | undefined): void {
    const { event, table, states } = command.trace as Trace;
    event.duration = performance.now() - event.startTime;
    event.retries = command.retries;
    event.reply = reply;
    event.error = error;
    const ends = table.onCommandEnd;
    for (let i = 0; i < ends.length; i++) {
      const hook = ends[i]!;
      const at = states === undefined ? -1 : table.onCommandStart.indexOf(hook);
      this.#chain.call(hook, 'onCommandEnd', event, at === -1 ? undefined : states![at]);
    }
  }
}
