/**
 * What the maintenance e2e tests share: a recording hook for the maintenance events, and a load of
 * concurrent callers that writes numbered values and remembers every acknowledged write, so a test
 * can check afterwards that nothing was lost and nothing failed.
 */
import type { Client, Hook } from '../../../src/index.js';

type Recorded = { member: string; event: Record<string, unknown> };

/** Records the maintenance and connection hook events, in order, as plain copies. */
export function maintenanceRecorder(): Hook & {
  readonly calls: Recorded[];
  of(member: string): Array<Record<string, unknown>>;
  handoffs(stage?: string): Array<Record<string, unknown>>;
} {
  const calls: Recorded[] = [];
  const record = (member: string) => (event: object): void => void calls.push({ member, event: { ...event } as Record<string, unknown> });
  return {
    name: 'MaintenanceRecorder',
    calls,
    onNotificationReceived: record('onNotificationReceived'),
    onNotificationHandled: record('onNotificationHandled'),
    onTimeoutRelaxed: record('onTimeoutRelaxed'),
    onTimeoutUnrelaxed: record('onTimeoutUnrelaxed'),
    onHandoff: record('onHandoff'),
    onCircuitBreakerStateChange: record('onCircuitBreakerStateChange'),
    onMaintenanceFallback: record('onMaintenanceFallback'),
    onConnectionCreated: record('onConnectionCreated'),
    onConnectionClosed: record('onConnectionClosed'),
    onDial: record('onDial'),
    of: (member) => calls.filter((c) => c.member === member).map((c) => c.event),
    handoffs: (stage) => calls.filter((c) => c.member === 'onHandoff' && (stage === undefined || c.event.stage === stage)).map((c) => c.event),
  };
}

export interface LoadResult {
  /** Commands that succeeded. */
  readonly ok: number;
  /** Every error a caller got, in order. */
  readonly errors: Error[];
  /** The last acknowledged value of each key: what a reader must find afterwards. */
  readonly acknowledged: ReadonlyMap<string, string>;
}

export interface Load {
  /** Commands that succeeded so far. */
  readonly ok: number;
  readonly errors: readonly Error[];
  /** Stops the callers once each has finished its current command. */
  stop(): Promise<LoadResult>;
}

/**
 * `callers` concurrent loops, each writing an increasing counter to its own key (SET) and
 * reading it back (GET), as fast as replies come. A GET that returns anything other than the
 * value just written is recorded as an error too.
 */
export function startLoad(client: Client, callers = 100, prefix = `load:${Date.now()}:`): Load {
  let stopped = false;
  let ok = 0;
  const errors: Error[] = [];
  const acknowledged = new Map<string, string>();
  const loops = Array.from({ length: callers }, async (_, i) => {
    const key = `${prefix}${i}`;
    for (let n = 0; !stopped; n++) {
      const value = String(n);
      try {
        await client.set(key, value);
        acknowledged.set(key, value);
        ok++;
        const read = await client.get(key);
        if (read !== value) throw new Error(`${key}: wrote ${value}, read back ${String(read)}`);
        ok++;
      } catch (error) {
        errors.push(error as Error);
        // A closed client fails at once: stop, instead of spinning on rejected promises (which would
        // starve the event loop and hang the test run).
        if (!client.isOpen) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
  return {
    get ok() {
      return ok;
    },
    errors,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { ok, errors, acknowledged };
    },
  };
}

/** Reads every acknowledged key back through `reader`; returns the keys whose value differs. */
export async function lostWrites(reader: Client, acknowledged: ReadonlyMap<string, string>): Promise<string[]> {
  const keys = [...acknowledged.keys()];
  if (keys.length === 0) return [];
  const values = await reader.mGet(keys);
  return keys.filter((key, i) => values[i] !== acknowledged.get(key));
}

/** Resolves once `load` has completed `more` further commands (proof that traffic flows). */
export async function progress(load: Load, more: number, timeoutMs = 10_000): Promise<void> {
  const target = load.ok + more;
  const deadline = Date.now() + timeoutMs;
  while (load.ok < target) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${more} more commands (at ${load.ok}, errors: ${load.errors.length})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
