import type { HookErrorEvent } from './events.js';
import type { Hook, HookMember } from './hook.js';

/**
 * For each member, the hooks that implement it, in registration order; and for each end member,
 * where each of its hooks sits among the start member's hooks (-1 if it has no start), so the
 * state a start returned is found by index. Never mutated.
 */
export type HookTable = { readonly [M in HookMember]: readonly Hook[] } & {
  /** The chain the table belongs to, which reports hook failures. */
  readonly chain: HookChain;
  /** Some hook implements onCommandStart or onCommandEnd: commands need a record. */
  readonly commandHooks: boolean;
  /** The hook, when exactly one implements onCommandStart: its start needs no loop. */
  readonly soleCommandStart: Hook | undefined;
  /**
   * The hook, when exactly one implements command events and it implements both start and end (a
   * metrics or tracing hook alone): its end gets its start's state directly, without the index
   * lookup.
   */
  readonly pairedCommandHook: Hook | undefined;
  readonly stateIndex: { readonly onCommandEnd: readonly number[]; readonly onBatchEnd: readonly number[] };
};

type EventOf<M extends HookMember> = Parameters<NonNullable<Hook[M]>>[0];

/**
 * The ordered set of hooks of one client. `table` is rebuilt when hooks are added or removed and
 * read on every event: a member nobody implements is an empty array, so its dispatch is one
 * length check. Commands capture the table they started with, so a hook removed mid-command still
 * sees the end of what it saw start.
 */
export class HookChain {
  #hooks: Hook[] = [];
  #table: HookTable = buildTable(this, []);
  readonly #failures = new Map<Hook, Map<string, number>>();
  readonly #onHookError: (event: HookErrorEvent) => void;
  readonly #onChange: (() => void) | undefined;

  /** `onChange` is called after every add or remove that changes the table (not for `hooks`). */
  constructor(hooks: readonly Hook[], onHookError: (event: HookErrorEvent) => void, onChange?: () => void) {
    this.#onHookError = onHookError;
    for (const hook of hooks) this.add(hook);
    this.#onChange = onChange;
  }

  get table(): HookTable {
    return this.#table;
  }

  get hooks(): readonly Hook[] {
    return this.#hooks;
  }

  add(hook: Hook): void {
    if (this.#hooks.includes(hook)) return;
    this.#hooks = [...this.#hooks, hook];
    this.#table = buildTable(this, this.#hooks);
    this.#onChange?.();
  }

  remove(hook: Hook): boolean {
    if (!this.#hooks.includes(hook)) return false;
    this.#hooks = this.#hooks.filter((h) => h !== hook);
    this.#table = buildTable(this, this.#hooks);
    this.#onChange?.();
    return true;
  }

  /** Failures per hook name and member, e.g. `{ MyHook: { onCommandEnd: 3 } }`. */
  errorCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [hook, members] of this.#failures) out[hookName(hook)] = Object.fromEntries(members);
    return out;
  }

  /** Calls `member` on every hook in `hooks` that implements it (callers pass `table[member]`). */
  emit<M extends HookMember>(hooks: readonly Hook[], member: M, event: EventOf<M>): void {
    for (let i = 0; i < hooks.length; i++) this.call(hooks[i]!, member, event, undefined);
  }

  /**
   * Calls `member` on every hook that implements it now. For events off the command path (a
   * connection's lifecycle, maintenance), where looking the member up each time costs nothing.
   */
  dispatch<M extends HookMember>(member: M, event: EventOf<M>): void {
    const hooks = this.#table[member];
    if (hooks.length > 0) this.emit(hooks, member, event);
  }

  /** Calls one member of one hook, isolating a throw or a rejection. Returns what it returned. */
  call<M extends HookMember>(hook: Hook, member: M, event: EventOf<M>, state: unknown): unknown {
    try {
      const fn = hook[member] as (this: Hook, e: EventOf<M>, s: unknown) => unknown;
      const result = fn.call(hook, event, state);
      this.watch(hook, member, result);
      return result;
    } catch (error) {
      this.fail(hook, member, error);
      return undefined;
    }
  }

  /** Reports a rejection of `result`, when a hook returned a promise. */
  watch(hook: Hook, member: HookMember, result: unknown): void {
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.fail(hook, member, error));
    }
  }

  /** Counts a hook failure; the first of each hook and member is reported. */
  fail(hook: Hook, member: string, error: unknown): void {
    let members = this.#failures.get(hook);
    if (!members) this.#failures.set(hook, (members = new Map()));
    const count = (members.get(member) ?? 0) + 1;
    members.set(member, count);
    if (count > 1) return;
    try {
      this.#onHookError({ hook: hookName(hook), member, error, count });
    } catch {
      // A failing hookError listener must not turn a hook failure into a command failure.
    }
  }
}

/**
 * Built with every property in one fixed order and nothing frozen: the table is read on every
 * command, and V8 serves loads from frozen arrays and objects through its slow generic path
 * (measured: ~600 extra instructions per command). Read-only is enforced by the types.
 */
function buildTable(chain: HookChain, hooks: readonly Hook[]): HookTable {
  const implementing = (member: HookMember): Hook[] => hooks.filter((h) => typeof h[member] === 'function');
  const indexIn = (ends: readonly Hook[], starts: readonly Hook[]): number[] => ends.map((h) => starts.indexOf(h));
  const onCommandStart = implementing('onCommandStart');
  const onCommandEnd = implementing('onCommandEnd');
  const onBatchStart = implementing('onBatchStart');
  const onBatchEnd = implementing('onBatchEnd');
  const table: { -readonly [K in keyof HookTable]: HookTable[K] } = {
    onCommandStart,
    onCommandEnd,
    onBatchStart,
    onBatchEnd,
    onDial: implementing('onDial'),
    onHandshake: implementing('onHandshake'),
    onConnectionCreated: implementing('onConnectionCreated'),
    onConnectionClosed: implementing('onConnectionClosed'),
    onConnectionStateChange: implementing('onConnectionStateChange'),
    onConnectionAcquire: implementing('onConnectionAcquire'),
    onReconnectAttempt: implementing('onReconnectAttempt'),
    onOfflineQueueChange: implementing('onOfflineQueueChange'),
    onNotificationReceived: implementing('onNotificationReceived'),
    onNotificationHandled: implementing('onNotificationHandled'),
    onTimeoutRelaxed: implementing('onTimeoutRelaxed'),
    onTimeoutUnrelaxed: implementing('onTimeoutUnrelaxed'),
    onHandoff: implementing('onHandoff'),
    onCircuitBreakerStateChange: implementing('onCircuitBreakerStateChange'),
    onMaintenanceFallback: implementing('onMaintenanceFallback'),
    chain,
    commandHooks: onCommandStart.length !== 0 || onCommandEnd.length !== 0,
    soleCommandStart: onCommandStart.length === 1 ? onCommandStart[0] : undefined,
    pairedCommandHook: onCommandStart.length === 1 && onCommandEnd.length === 1 && onCommandStart[0] === onCommandEnd[0] ? onCommandStart[0] : undefined,
    stateIndex: { onCommandEnd: indexIn(onCommandEnd, onCommandStart), onBatchEnd: indexIn(onBatchEnd, onBatchStart) },
  };
  return table;
}

export function hookName(hook: Hook): string {
  return hook.name ?? (hook.constructor === Object ? 'anonymous hook' : hook.constructor.name);
}
