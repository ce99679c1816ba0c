/**
 * Pub/sub on a leased connection of its own. Subscriptions are remembered, so when that
 * connection is lost a new one is leased (with the client's reconnect backoff) and every channel,
 * pattern and shard channel is subscribed again; listeners stay attached throughout.
 */
import { ConnectionError, createCommand, type Command } from '../connection/index.js';
import { ClientClosedError, InvalidArgumentError } from '../errors.js';
import type { Endpoint } from '../connection/index.js';
import type { HookChain } from '../hooks/index.js';
import { retryWithBackoff, type Lease, type ReconnectStrategy } from '../pool/index.js';
import type { RespValue } from '../protocol/index.js';
import { text } from './command-spec.js';

export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** Called with each message; `pattern` is set for pattern subscriptions. */
export type MessageListener<S = string> = (message: S, channel: string, pattern?: string) => void;

const SUBSCRIBE: Record<SubscriptionKind, string> = { channel: 'SUBSCRIBE', pattern: 'PSUBSCRIBE', shard: 'SSUBSCRIBE' };
const UNSUBSCRIBE: Record<SubscriptionKind, string> = { channel: 'UNSUBSCRIBE', pattern: 'PUNSUBSCRIBE', shard: 'SUNSUBSCRIBE' };
const SUBSCRIPTION_KINDS = ['channel', 'pattern', 'shard'] as const;
const CONFIRMATIONS = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

export interface PubSubHost {
  acquire(): Promise<Lease>;
  readonly returnBuffers: boolean;
  readonly reconnect: ReconnectStrategy | false;
  readonly hooks: HookChain;
  /** The endpoint new pub/sub connections go to (for reconnect hook events). */
  endpoint(): Endpoint;
  /** A listener threw, or resubscribing failed for good. */
  reportError(error: unknown): void;
  /** Subscriptions were restored on a new connection. */
  resubscribed(): void;
  /** Lets command hooks see SUBSCRIBE-family commands. */
  observe(command: Command): void;
}

export class PubSub {
  readonly #host: PubSubHost;
  readonly #subscriptions: Record<SubscriptionKind, Map<string, Set<MessageListener<unknown>>>> = {
    channel: new Map(), pattern: new Map(), shard: new Map(),
  };
  #lease: Lease | undefined;
  #leasing: Promise<Lease> | undefined;
  /** While a lost connection's subscriptions are being restored: resolves to why it gave up, if it did. */
  #restoring: Promise<Error | undefined> | undefined;
  #closed = false;
  /** Aborted by close(): ends a restore in progress, also in the middle of its backoff wait. */
  readonly #stop = new AbortController();

  constructor(host: PubSubHost) {
    this.#host = host;
  }

  /** Names subscribed, per kind. */
  subscriptions(): Record<SubscriptionKind, string[]> {
    return {
      channel: [...this.#subscriptions.channel.keys()],
      pattern: [...this.#subscriptions.pattern.keys()],
      shard: [...this.#subscriptions.shard.keys()],
    };
  }

  async subscribe(kind: SubscriptionKind, names: string | string[], listener: MessageListener<unknown>): Promise<void> {
    const list = validNames(kind, names);
    if (typeof listener !== 'function') throw new InvalidArgumentError(`${SUBSCRIBE[kind]}: the listener must be a function`);
    const map = this.#subscriptions[kind];
    const fresh = list.filter((name) => !map.has(name));
    for (const name of list) {
      let listeners = map.get(name);
      if (!listeners) map.set(name, (listeners = new Set()));
      listeners.add(listener);
    }
    if (fresh.length === 0) return;
    try {
      // Nothing was written yet: wait for the connection to come back (as an ordinary command waits
      // in the offline queue) instead of failing with the first failed attempt to restore it.
      const gaveUp = this.#restoring === undefined ? undefined : await this.#restoring;
      if (gaveUp !== undefined) throw gaveUp;
      await this.#send(await this.#ensureLease(), [SUBSCRIBE[kind], ...fresh]);
    } catch (error) {
      for (const name of fresh) map.delete(name);
      throw error;
    }
  }

  /** Without names: every name of that kind. Without a listener: every listener of those names. */
  async unsubscribe(kind: SubscriptionKind, names?: string | string[], listener?: MessageListener<unknown>): Promise<void> {
    const map = this.#subscriptions[kind];
    const list = names === undefined ? [...map.keys()] : validNames(kind, names);
    const gone: string[] = [];
    for (const name of list) {
      const listeners = map.get(name);
      if (!listeners) continue;
      if (listener) listeners.delete(listener);
      else listeners.clear();
      if (listeners.size === 0) {
        map.delete(name);
        gone.push(name);
      }
    }
    const lease = this.#lease;
    if (gone.length > 0 && lease) await this.#send(lease, [UNSUBSCRIBE[kind], ...gone]);
    if (this.#isEmpty() && this.#lease === lease && lease) {
      this.#lease = undefined;
      lease.release(false);
    }
  }

  close(): void {
    this.#closed = true;
    this.#stop.abort();
    this.#lease?.release(false);
    this.#lease = undefined;
  }

  #isEmpty(): boolean {
    return this.#subscriptions.channel.size === 0 && this.#subscriptions.pattern.size === 0 && this.#subscriptions.shard.size === 0;
  }

  #ensureLease(): Promise<Lease> {
    if (this.#lease) return Promise.resolve(this.#lease);
    this.#leasing ??= this.#host.acquire().then(
      (lease) => {
        this.#leasing = undefined;
        this.#attach(lease);
        return lease;
      },
      (error: unknown) => {
        this.#leasing = undefined;
        throw error;
      },
    );
    return this.#leasing;
  }

  #attach(lease: Lease): void {
    this.#lease = lease;
    lease.onMessage = (frame) => this.#onMessage(frame);
    // A handoff moves the lease to a new connection at once: subscribe to everything there; the old
    // connection keeps delivering until that is done, then until its own unsubscribe is confirmed:
    // the server sends it whatever was published before the new subscriptions took effect ahead of
    // that confirmation, and closing it any sooner would drop those messages in flight. So a
    // message may arrive twice, never not at all.
    lease.onReplace = async (_replacement, old) => {
      await this.#sendForAll(lease, SUBSCRIBE);
      // The old connection closes after this in any case (a failure here only means it is gone).
      await this.#sendForAll(old, UNSUBSCRIBE).catch(() => undefined);
    };
    lease.onLost = (error) => {
      if (this.#lease !== lease) return;
      this.#lease = undefined;
      if (this.#closed || this.#isEmpty()) return;
      const restoring = this.#restore(error);
      this.#restoring = restoring;
      void restoring.then(() => {
        if (this.#restoring === restoring) this.#restoring = undefined;
      });
    };
  }

  /** Sends a (un)subscribe on `to`, a lease or, for a handoff's old connection, the connection itself. */
  async #send(to: Pick<Lease, 'send'>, args: string[]): Promise<void> {
    const [command, reply] = createCommand(args, this.#host.returnBuffers);
    command.confirmations = args.length - 1;
    this.#host.observe(command);
    to.send(command);
    await reply;
  }

  /** Leases a new connection with backoff and subscribes to everything again; resolves to why it gave up, if it did. */
  async #restore(cause: Error | undefined): Promise<Error | undefined> {
    const strategy = this.#host.reconnect;
    const lost = cause ?? new ConnectionError('the pub/sub connection was lost', 'ERR_CONNECTION_CLOSED');
    if (strategy === false) {
      this.#host.reportError(cause);
      return lost;
    }
    const outcome = await retryWithBackoff({
      strategy, cause, signal: this.#stop.signal, hooks: this.#host.hooks, role: 'pubsub', endpoint: this.#host.endpoint(),
      attempt: () => this.#resubscribe(),
    });
    if (outcome.ok) {
      if (outcome.value) this.#host.resubscribed();
      return undefined;
    }
    if (outcome.stopped) return new ClientClosedError();
    const { host, port } = this.#host.endpoint();
    const gaveUp = new ConnectionError(
      `gave up restoring the subscriptions on ${host}:${port} after ${outcome.attempts} attempts${outcome.cause ? `: ${outcome.cause.message}` : ''}`,
      'ERR_CONNECTION', { cause: outcome.cause ?? lost },
    );
    this.#host.reportError(gaveUp);
    return gaveUp;
  }

  /** Subscribes to everything again on a new lease; false when nothing is left to restore. */
  async #resubscribe(): Promise<boolean> {
    if (this.#isEmpty()) return false;
    try {
      await this.#sendForAll(await this.#ensureLease(), SUBSCRIBE);
      return true;
    } catch (error) {
      const broken = this.#lease;
      this.#lease = undefined;
      broken?.release(false);
      throw error;
    }
  }

  /**
   * Sends `verbs[kind]` with every name subscribed now, kind by kind, on `to`: SUBSCRIBE on a new
   * lease, UNSUBSCRIBE on a handoff's old connection (each name is confirmed, subscribed there or not).
   */
  async #sendForAll(to: Pick<Lease, 'send'>, verbs: Record<SubscriptionKind, string>): Promise<void> {
    for (const kind of SUBSCRIPTION_KINDS) {
      const names = [...this.#subscriptions[kind].keys()];
      if (names.length > 0) await this.#send(to, [verbs[kind], ...names]);
    }
  }

  #onMessage(frame: RespValue[]): boolean {
    const kind = frame.length > 0 ? text(frame[0]!).toLowerCase() : '';
    if (kind === 'message' || kind === 'smessage') {
      this.#deliver(this.#subscriptions[kind === 'message' ? 'channel' : 'shard'].get(text(frame[1]!)), frame[2], text(frame[1]!), undefined);
      return true;
    }
    if (kind === 'pmessage') {
      this.#deliver(this.#subscriptions.pattern.get(text(frame[1]!)), frame[3], text(frame[2]!), text(frame[1]!));
      return true;
    }
    // Unsolicited confirmations (e.g. the server dropping shard channels) carry nothing to deliver.
    return CONFIRMATIONS.has(kind);
  }

  #deliver(listeners: Set<MessageListener<unknown>> | undefined, message: RespValue | undefined, channel: string, pattern: string | undefined): void {
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(message, channel, pattern);
      } catch (error) {
        this.#host.reportError(error);
      }
    }
  }
}

function validNames(kind: SubscriptionKind, names: string | string[]): string[] {
  const list = Array.isArray(names) ? names : [names];
  if (list.length === 0 || list.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw new InvalidArgumentError(`${SUBSCRIBE[kind]}: expected one or more non-empty names`);
  }
  return [...new Set(list)];
}
