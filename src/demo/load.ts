/**
 * The demo's traffic through the client under rehearsal, with what is needed to prove nothing was
 * lost: paced read/write callers (each owns its keys, so it knows what a read must return and what
 * the server must hold afterwards), a producer and a blocking consumer on a list, and a publisher
 * and a subscriber of numbered messages. Every command's start and latency is kept for the
 * summary and the report.
 */
import type { Client } from '../client/index.js';

export interface CommandSample {
  /** ms since the run started */
  readonly at: number;
  /** ms */
  readonly latency: number;
  readonly failed: boolean;
}

const CHUNK = 1 << 16;

/**
 * Every settled read/write command, kept in 64k-entry typed-array chunks: a --keep-running
 * session records millions, and plain objects would cost ~60 bytes each and work for the GC.
 */
export class SampleLog implements Iterable<CommandSample> {
  readonly #at: Float64Array[] = [];
  readonly #latency: Float32Array[] = [];
  readonly #failed: Uint8Array[] = [];
  #length = 0;

  static from(samples: Iterable<CommandSample>): SampleLog {
    const log = new SampleLog();
    for (const s of samples) log.push(s.at, s.latency, s.failed);
    return log;
  }

  get length(): number {
    return this.#length;
  }

  push(at: number, latency: number, failed: boolean): void {
    const index = this.#length % CHUNK;
    if (index === 0) {
      this.#at.push(new Float64Array(CHUNK));
      this.#latency.push(new Float32Array(CHUNK));
      this.#failed.push(new Uint8Array(CHUNK));
    }
    const chunk = this.#at.length - 1;
    this.#at[chunk]![index] = at;
    this.#latency[chunk]![index] = latency;
    this.#failed[chunk]![index] = failed ? 1 : 0;
    this.#length++;
  }

  /** The i-th sample's start (ms since the run started). */
  at(i: number): number {
    return this.#at[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  latency(i: number): number {
    return this.#latency[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  failed(i: number): boolean {
    return this.#failed[Math.floor(i / CHUNK)]![i % CHUNK] === 1;
  }

  *[Symbol.iterator](): Iterator<CommandSample> {
    for (let i = 0; i < this.#length; i++) yield { at: this.at(i), latency: this.latency(i), failed: this.failed(i) };
  }
}

export interface ErrorRecord {
  readonly at: number;
  readonly message: string;
  /** The error's `code` (e.g. ERR_CONNECTION_LOST), when it has one. */
  readonly code?: string;
}

/** Numbered items sent one way and received the other (list items, pub/sub messages). */
export interface SequenceCheck {
  /** Items the sender got an acknowledgement for. */
  sent: number;
  /** Distinct acknowledged items received. */
  received: number;
  /** Acknowledged items never received. */
  lost: number;
  /** Extra deliveries of an item already received. */
  duplicated: number;
}

/** A write that failed with ERR_CONNECTION_LOST: it may or may not have run. */
const mayHaveRun = (error: unknown): boolean => (error as { code?: unknown } | undefined)?.code === 'ERR_CONNECTION_LOST';

export interface LoadTotals {
  commands: number;
  errors: ErrorRecord[];
  /** Last acknowledged value per key: what the server must hold. */
  acknowledged: Map<string, string>;
  /**
   * Keys whose last write failed with ERR_CONNECTION_LOST (it may or may not have run): the value
   * the server holds instead of the acknowledged one if it did.
   */
  uncertain: Map<string, string>;
  /** BRPOPs that failed with ERR_CONNECTION_LOST: each may have popped an item nobody received. */
  uncertainPops: number;
  /** Messages the server acknowledged with no subscriber to deliver them to (PUBLISH replied 0). */
  unheardMessages: number;
  blocking: SequenceCheck;
  pubsub: SequenceCheck;
}

export interface DemoLoad {
  /** Every settled read/write command, in order of settling. */
  readonly samples: SampleLog;
  readonly errors: readonly ErrorRecord[];
  /** Commands settled so far (read/write, list and pub/sub traffic). */
  readonly commands: number;
  /** Stops the senders, lets the receivers drain (at most `drainMs`), and returns the totals; later calls return the same. */
  stop(drainMs: number): Promise<LoadTotals>;
}

export interface LoadOptions {
  /** Read/write commands per second, spread over the callers. */
  rate: number;
  /** Key prefix, unique per run. */
  prefix: string;
  /** ms since the run started. */
  now: () => number;
  /** List items pushed per second (default 20). */
  listRate?: number;
  /** Messages published per second (default 50). */
  publishRate?: number;
  /** Read/write callers (default: one per 100 commands per second, 4 to 64). */
  callers?: number;
  /** Blocking consumers of the list (default 1). */
  consumers?: number;
}

/** Sleeps until `deadline` (ms on the `now` clock), or not at all when it has passed. */
function pace(deadline: number, now: () => number): Promise<void> {
  const wait = deadline - now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : new Promise((resolve) => setImmediate(resolve));
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Received numbers of one sequence: distinct ones and extra deliveries. */
class Receipts {
  readonly #seen = new Set<number>();
  duplicated = 0;

  add(n: number): void {
    if (this.#seen.has(n)) this.duplicated++;
    else this.#seen.add(n);
  }

  check(acknowledged: ReadonlySet<number>): SequenceCheck {
    let received = 0;
    for (const n of acknowledged) if (this.#seen.has(n)) received++;
    return { sent: acknowledged.size, received, lost: acknowledged.size - received, duplicated: this.duplicated };
  }

  hasAll(acknowledged: ReadonlySet<number>): boolean {
    for (const n of acknowledged) if (!this.#seen.has(n)) return false;
    return true;
  }
}

export async function startLoad(client: Client, options: LoadOptions): Promise<DemoLoad> {
  const { rate, prefix, now } = options;
  const samples = new SampleLog();
  const errors: ErrorRecord[] = [];
  const acknowledged = new Map<string, string>();
  let commands = 0;
  let sending = true;
  let receiving = true;
  const uncertain = new Map<string, string>();
  let uncertainPops = 0;
  let unheardMessages = 0;
  const fail = (error: unknown): void => {
    const code = (error as { code?: unknown } | undefined)?.code;
    errors.push({ at: now(), message: describe(error), ...(typeof code === 'string' ? { code } : {}) });
  };
  /** Runs one command, counting it and its error; returns undefined when it failed (after `onError`). */
  const tracked = async <T>(run: () => Promise<T>, sample: boolean, onError?: (error: unknown) => void): Promise<{ value: T } | undefined> => {
    const start = now();
    try {
      const value = await run();
      commands++;
      if (sample) samples.push(start, now() - start, false);
      return { value };
    } catch (error) {
      commands++;
      if (sample) samples.push(start, now() - start, true);
      fail(error);
      onError?.(error);
      // Let the event loop turn: a client that rejects at once must not starve the timers.
      await new Promise((resolve) => setImmediate(resolve));
      return undefined;
    }
  };

  // Read/write callers: SET a counter, GET it back (must match), INCR a second key (must count up).
  const callers = options.callers ?? Math.max(4, Math.min(64, Math.ceil(rate / 100)));
  const interval = (callers * 1000) / rate;
  const readWrite = Array.from({ length: callers }, async (_, i) => {
    const key = `${prefix}key:${i}`;
    const counter = `${prefix}counter:${i}`;
    let written: string | undefined;
    // A SET or INCR lost with its connection may have run: its value is then also acceptable.
    let maybeWritten: string | undefined;
    let count = 0;
    let countMayBeAhead = false;
    let next = now() + (interval * i) / callers;
    for (let n = 1; sending; n++) {
      await pace(next, now);
      next = Math.max(next + interval, now() - interval);
      const op = n % 10;
      if (op < 5) {
        const value = String(n);
        const set = await tracked(() => client.set(key, value), true, (error) => {
          if (!mayHaveRun(error)) return;
          maybeWritten = value;
          uncertain.set(key, value);
        });
        if (set) {
          acknowledged.set(key, (written = value));
          maybeWritten = undefined;
          uncertain.delete(key);
        }
      } else if (op < 9) {
        const read = await tracked(() => client.get(key), true);
        if (read && written !== undefined && read.value !== written && (maybeWritten === undefined || read.value !== maybeWritten)) {
          fail(new Error(`GET ${key} returned ${String(read.value)}, the last acknowledged SET wrote ${written}`));
        }
        // What the server holds is known again once a read saw it.
        if (read && read.value === maybeWritten) {
          written = maybeWritten;
          acknowledged.set(key, written);
          maybeWritten = undefined;
          uncertain.delete(key);
        }
      } else {
        const reply = await tracked(() => client.incr(counter), true, (error) => {
          if (!mayHaveRun(error)) return;
          countMayBeAhead = true;
          uncertain.set(counter, String(count + 1));
        });
        if (reply === undefined) continue;
        const ahead = countMayBeAhead && reply.value === count + 2;
        if (reply.value !== count + 1 && !ahead) fail(new Error(`INCR ${counter} returned ${reply.value}, expected ${count + 1}`));
        count = reply.value;
        countMayBeAhead = false;
        uncertain.delete(counter);
        acknowledged.set(counter, String(count));
      }
    }
  });

  // A producer pushing numbered items and a blocking consumer popping them (short BRPOP timeouts,
  // so a waiting pop returns and its lease can move before a MOVING's deadline).
  const list = `${prefix}queue`;
  const pushed = new Set<number>();
  const popped = new Receipts();
  const producer = (async () => {
    const every = 1000 / (options.listRate ?? 20);
    let next = now();
    for (let n = 1; sending; n++) {
      await pace((next += every), now);
      if (await tracked(() => client.lPush(list, String(n)), false)) pushed.add(n);
    }
  })();
  const consumers = Array.from({ length: options.consumers ?? 1 }, async () => {
    while (receiving) {
      const reply = await tracked(() => client.brPop(list, 0.2), false, (error) => {
        if (mayHaveRun(error)) uncertainPops++;
      });
      if (reply?.value) popped.add(Number(reply.value.element));
    }
  });

  // Numbered pub/sub messages, published on the shared connection, received on the pub/sub one.
  const channel = `${prefix}events`;
  const published = new Set<number>();
  const messages = new Receipts();
  await client.subscribe(channel, (message) => messages.add(Number(message)));
  const publisher = (async () => {
    const every = 1000 / (options.publishRate ?? 50);
    let next = now();
    for (let n = 1; sending; n++) {
      await pace((next += every), now);
      const reply = await tracked(() => client.publish(channel, n), false);
      // No subscriber at that moment (the subscription being restored after a dropped
      // connection): Redis does not keep pub/sub messages, and said so by replying 0.
      if (reply?.value === 0) unheardMessages++;
      else if (reply) published.add(n);
    }
  })();

  // stop() once, however often it is called (the normal end and a cleanup after an error).
  let stopping: Promise<LoadTotals> | undefined;
  const stop = async (drainMs: number): Promise<LoadTotals> => {
    sending = false;
    await Promise.all([...readWrite, producer, publisher]);
    const deadline = now() + drainMs;
    while (now() < deadline && !(popped.hasAll(pushed) && messages.hasAll(published))) await pace(now() + 20, now);
    receiving = false;
    await Promise.all(consumers);
    await tracked(() => client.unsubscribe(channel), false);
    return { commands, errors, acknowledged, uncertain, uncertainPops, unheardMessages, blocking: popped.check(pushed), pubsub: messages.check(published) };
  };
  return {
    samples,
    errors,
    get commands() {
      return commands;
    },
    stop: (drainMs) => (stopping ??= stop(drainMs)),
  };
}

/**
 * Keys whose value on the server (read by `reader`, e.g. straight from redis-server) differs from
 * the last acknowledged one (and from the `uncertain` write's value, which may have run).
 */
export async function lostWrites(reader: Client, acknowledged: ReadonlyMap<string, string>, uncertain: ReadonlyMap<string, string> = new Map()): Promise<string[]> {
  const keys = [...acknowledged.keys()];
  const lost: string[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const batch = keys.slice(i, i + 500);
    const values = await reader.mGet(batch);
    batch.forEach((key, j) => {
      if (values[j] !== acknowledged.get(key) && (!uncertain.has(key) || values[j] !== uncertain.get(key))) lost.push(key);
    });
  }
  return lost;
}
