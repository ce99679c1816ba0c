/**
 * The load and the arithmetic of bench/maintenance.ts: N concurrent callers, each writing an
 * increasing counter to its own key (SET) and reading it back (GET), with every command's start and
 * end taken from performance.now(), every error, and the last acknowledged value per key; then the
 * window statistics (latency percentiles of commands started in a window, longest stall) and the
 * lost-write count.
 */
import net from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';

/** The two calls the load needs; both clients are adapted to this. */
export interface KeyValue {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

/** Errors grouped by message shape (digits replaced by N), with the first message seen as it was. */
export interface ErrorGroup {
  shape: string;
  example: string;
  count: number;
  /** performance.now() of the first occurrence. */
  firstAt: number;
}

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/**
 * An append-only list of numbers in fixed 64k-entry typed-array chunks: nothing is ever copied
 * and the values live outside the JS heap, so recording millions of timings adds next to no GC
 * work (a growing JS array of 2M doubles made 100 ms GC pauses of its own).
 */
export class Series {
  readonly #chunks: Float64Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    const index = this.#length & (CHUNK - 1);
    if (index === 0) this.#chunks.push(new Float64Array(CHUNK));
    this.#chunks[this.#chunks.length - 1]![index] = value;
    this.#length++;
  }

  at(i: number): number {
    return this.#chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }
}

export interface CommandLog {
  /** Start of every settled command, in order of settling (aligned with `ends` and `failed`). */
  starts: Series;
  /** End of every settled command; non-decreasing. */
  ends: Series;
  /** 1 for a failed command, 0 for a successful one. */
  failed: Series;
  /** Ends of successful commands only; non-decreasing. */
  okEnds: Series;
}

export interface LoadOutcome {
  ok: number;
  errors: number;
  errorGroups: ErrorGroup[];
  /** Every error's time (performance.now()). */
  errorTimes: number[];
  /** Last acknowledged value of each key. */
  acknowledged: Map<string, number>;
  log: CommandLog;
  /** False when the callers did not finish their last command within the stop timeout. */
  stoppedCleanly: boolean;
}

export interface Load {
  readonly ok: number;
  readonly errors: number;
  /** Stops the callers after their current command; waits at most `timeoutMs` for them. */
  stop(timeoutMs: number): Promise<LoadOutcome>;
}

/**
 * After an error a caller lets the event loop turn once before its next command: a client that
 * rejects at once (closed, offline queue full) would otherwise spin in microtasks and starve
 * every timer, the simulator and Ctrl-C included.
 */
const breather = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function startLoad(client: KeyValue, callers: number, prefix: string): Load {
  let stopped = false;
  let ok = 0;
  let errors = 0;
  const groups = new Map<string, ErrorGroup>();
  const errorTimes: number[] = [];
  const acknowledged = new Map<string, number>();
  const log: CommandLog = { starts: new Series(), ends: new Series(), failed: new Series(), okEnds: new Series() };

  const record = (start: number, end: number, error: unknown): void => {
    log.starts.push(start);
    log.ends.push(end);
    log.failed.push(error === undefined ? 0 : 1);
    if (error === undefined) {
      ok++;
      log.okEnds.push(end);
      return;
    }
    errors++;
    errorTimes.push(end);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-Error: ${String(error)}`;
    const shape = message.replace(/\d+/g, 'N');
    const group = groups.get(shape);
    if (group === undefined) groups.set(shape, { shape, example: message, count: 1, firstAt: end });
    else group.count++;
  };

  const loops = Array.from({ length: callers }, async (_, i) => {
    const key = `${prefix}${i}`;
    for (let n = 1; !stopped; n++) {
      const value = String(n);
      let start = performance.now();
      try {
        await client.set(key, value);
      } catch (error) {
        record(start, performance.now(), error ?? new Error('rejected with undefined'));
        await breather();
        continue;
      }
      record(start, performance.now(), undefined);
      acknowledged.set(key, n);
      start = performance.now();
      try {
        const read = await client.get(key);
        if (read !== value) {
          record(start, performance.now(), new Error(`GET ${key} after SET ${value} returned ${String(read)}`));
          await breather();
          continue;
        }
      } catch (error) {
        record(start, performance.now(), error ?? new Error('rejected with undefined'));
        await breather();
        continue;
      }
      record(start, performance.now(), undefined);
    }
  });

  return {
    get ok() {
      return ok;
    },
    get errors() {
      return errors;
    },
    async stop(timeoutMs) {
      stopped = true;
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(loops).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      return {
        ok,
        errors,
        errorGroups: [...groups.values()],
        errorTimes,
        acknowledged,
        log,
        stoppedCleanly: finished,
      };
    },
  };
}

export interface WindowStats {
  /** Window bounds, ms relative to the window start (start = 0). */
  durationMs: number;
  /** Commands that started inside the window and settled (successfully or not). */
  started: number;
  okInWindow: number;
  errorsInWindow: number;
  p50: number;
  p99: number;
  max: number;
  /** Longest interval inside the window with no successful completion, and where it began (ms after the window start). */
  stall: number;
  stallAt: number;
}

/** Nearest-rank percentile of sorted values (NaN when empty). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** First index i with values[i] >= x in a non-decreasing array. */
function lowerBound(values: Series, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values.at(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Latencies of commands that STARTED in [from, to] (their end may fall after `to`; failed ones
 * count with the time they took to fail), and the longest gap between successful completions
 * inside [from, to], the window edges included as gap ends.
 */
export function windowStats(log: CommandLog, from: number, to: number): WindowStats {
  let count = 0;
  for (let i = 0; i < log.starts.length; i++) {
    const start = log.starts.at(i);
    if (start >= from && start <= to) count++;
  }
  const sorted = new Float64Array(count);
  let okInWindow = 0;
  let errorsInWindow = 0;
  for (let i = 0, k = 0; i < log.starts.length; i++) {
    const start = log.starts.at(i);
    if (start < from || start > to) continue;
    sorted[k++] = log.ends.at(i) - start;
    if (log.failed.at(i) === 1) errorsInWindow++;
    else okInWindow++;
  }
  sorted.sort();
  let stall = 0;
  let stallAt = 0;
  let previous = from;
  for (let i = lowerBound(log.okEnds, from); i < log.okEnds.length; i++) {
    const end = log.okEnds.at(i);
    if (end > to) break;
    if (end - previous > stall) {
      stall = end - previous;
      stallAt = previous - from;
    }
    previous = end;
  }
  if (to - previous > stall) {
    stall = to - previous;
    stallAt = previous - from;
  }
  return {
    durationMs: to - from,
    started: count,
    okInWindow,
    errorsInWindow,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
    stall,
    stallAt,
  };
}

export interface LostWrites {
  checked: number;
  /** Keys holding an older value than the last acknowledged one, or none at all. */
  lost: number;
  /** Keys holding a newer value: a SET that failed on the client but still ran (not a lost write). */
  newer: number;
  examples: string[];
}

/** Compares what the server holds (`read`, same order as `acknowledged`'s keys) with the acknowledgements. */
export function compareWrites(acknowledged: Map<string, number>, read: Array<string | null>): LostWrites {
  let lost = 0;
  let newer = 0;
  const examples: string[] = [];
  let i = 0;
  for (const [key, value] of acknowledged) {
    const stored = read[i++];
    const n = stored === null || stored === undefined ? NaN : Number(stored);
    if (n === value) continue;
    if (n > value) {
      newer++;
      continue;
    }
    lost++;
    if (examples.length < 3) examples.push(`${key}: acknowledged ${value}, server has ${stored ?? 'nothing'}`);
  }
  return { checked: acknowledged.size, lost, newer, examples };
}

/**
 * What the process itself was doing: a 2 ms ticker (a gap between ticks means the event loop ran
 * no timers: a long synchronous task, a GC pause, or the OS not scheduling the process) and the
 * GC pauses Node reports. Used to tell a client waiting on the network from a blocked process.
 */
export interface LoopMonitor {
  readonly ticks: Series;
  readonly gcs: Array<{ start: number; duration: number }>;
  stop(): void;
}

export function startLoopMonitor(): LoopMonitor {
  const ticks = new Series();
  ticks.push(performance.now());
  const gcs: Array<{ start: number; duration: number }> = [];
  const timer = setInterval(() => ticks.push(performance.now()), 2);
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    ticks,
    gcs,
    stop: () => {
      clearInterval(timer);
      observer.disconnect();
      ticks.push(performance.now());
    },
  };
}

/** Inside [from, to]: the longest stretch without a tick, and the GC pause time (both clipped to the interval). */
export function processPauses(monitor: LoopMonitor, from: number, to: number): { loopBlocked: number; gc: number } {
  let loopBlocked = 0;
  const { ticks } = monitor;
  for (let i = Math.max(1, lowerBound(ticks, from)); i < ticks.length; i++) {
    const a = Math.max(from, ticks.at(i - 1));
    const b = Math.min(to, ticks.at(i));
    if (b - a > loopBlocked) loopBlocked = b - a;
    if (ticks.at(i) > to) break;
  }
  let gc = 0;
  for (const pause of monitor.gcs) {
    const a = Math.max(from, pause.start);
    const b = Math.min(to, pause.start + pause.duration);
    if (b > a) gc += b - a;
  }
  return { loopBlocked, gc };
}

/**
 * A control: one raw connection straight to redis-server (not through the simulator), sending
 * PING whenever the previous reply has arrived, at most every 5 ms. When a client's stall is
 * matched by a probe PING waiting just as long, redis-server (or the OS not scheduling it) was
 * slow, not the client. The probe shares this process's event loop, so read it together with
 * `processPauses`.
 */
export interface RedisProbe {
  readonly sent: Series;
  readonly replied: Series;
  stop(): void;
}

export function startRedisProbe(host: string, port: number): RedisProbe {
  const sent = new Series();
  const replied = new Series();
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let waiting = false;
  let buffered = '';
  socket.on('data', (data) => {
    buffered += data.toString('latin1');
    while (buffered.startsWith('+PONG\r\n')) {
      buffered = buffered.slice(7);
      replied.push(performance.now());
      waiting = false;
    }
  });
  const timer = setInterval(() => {
    if (waiting || !socket.writable) return;
    waiting = true;
    sent.push(performance.now());
    socket.write('PING\r\n');
  }, 5);
  return {
    sent,
    replied,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** Inside [from, to]: the longest time one probe PING waited for its reply (clipped; an unanswered one counts until `to`). */
export function probeWait(probe: RedisProbe, from: number, to: number): number {
  let longest = 0;
  for (let i = 0; i < probe.sent.length; i++) {
    const sentAt = probe.sent.at(i);
    if (sentAt > to) break;
    const reply = i < probe.replied.length ? probe.replied.at(i) : Infinity;
    if (reply < from) continue;
    const wait = Math.min(reply, to) - Math.max(sentAt, from);
    if (wait > longest) longest = wait;
  }
  return longest;
}
