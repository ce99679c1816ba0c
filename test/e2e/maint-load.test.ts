/**
 * Bounded resources under maintenance (issue 19): hitless behind the simulator's two nodes (in
 * front of one real redis-server, so node B has node A's data, as after a completed migration).
 *
 * - Load: 1 000 concurrent callers (SET, then GET checked against the value just written) and 4
 *   loops of 10 000-command pipelines (SET/GET pairs, every reply checked in order) while a MOVING
 *   hands every connection to node B. The bar: zero errors, every acknowledged write readable,
 *   handoffs done by the client before the server's time_s, and bounded resources: the commands
 *   the client holds never exceed what the callers have outstanding, the offline queue stays
 *   empty, the handoff queue within its bound, and the heap after a forced GC flat across the move.
 * - Flood: 10 000 MOVING/MIGRATING pushes in one burst over 4 connections. Deduplicated per
 *   (seq, connection): one handoff per connection, one relaxation window per connection and reason,
 *   the handoff queue (4 places, 1 worker) never full; open windows, timers and heap flat.
 *
 * The heap is read after a forced GC. The project's vitest runs without --expose-gc, so the test
 * turns on V8's gc() for itself (as jest's leak detector does). The simulator runs in this process
 * too: its proxy buffers count in the heap, which makes the bounds generous, not tight.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Client, ClientOptions, Hook } from '../../src/index.js';
import { migratingFrame, migratedFrame, movingFrame, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad } from './support/maintenance.js';

/**
 * The MOVING's time_s: when the server closes the old connections, so the time a handoff has.
 * With ~40 000 commands in flight through the in-process proxy an event-loop turn takes 100-200 ms,
 * and the replacement's dial and handshake take several: measured 1.1-1.5 s from the push to the
 * last swap on 2 cores shared with other work, up to 5.6 s with those cores oversubscribed 5
 * times (a run then fails as the client does: commands written to a connection the server closed
 * are ERR_CONNECTION_LOST). 10 s leaves room for that.
 */
const MOVING_TIME_S = 10;

const env = useSimulator();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/** Heap in use once everything unreachable is collected (two passes: the first can free what the second collects). */
function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

const onA = (options: ClientOptions): Promise<Client> => connectedClient({ port: env.a.port, ...options });

interface PipelineLoad {
  /** Pipelines whose every reply was checked. */
  readonly completed: number;
  /** Pipelines sent and not answered yet. */
  readonly inFlight: number;
  readonly errors: readonly Error[];
  stop(): Promise<{ errors: readonly Error[]; acknowledged: ReadonlyMap<string, string> }>;
}

/**
 * `loops` concurrent loops, each sending one pipeline of `size` commands after another: SET k v,
 * GET k for `size / 2` keys of its own, v naming the round. A reply that is not OK for the SET and
 * v for its GET (an error, or any shift in order) is an error.
 */
function startPipelines(client: Client, loops: number, size: number, prefix: string): PipelineLoad {
  let stopped = false;
  let completed = 0;
  let inFlight = 0;
  const errors: Error[] = [];
  const acknowledged = new Map<string, string>();
  const fail = (error: Error): void => {
    // One broken pipeline could report 10 000 errors; the first ones say enough.
    if (errors.length < 100) errors.push(error);
  };
  const runs = Array.from({ length: loops }, async (_, loop) => {
    for (let round = 0; !stopped; round++) {
      const pipeline = client.pipeline();
      const keys: string[] = [];
      for (let j = 0; j < size / 2; j++) {
        const key = `${prefix}${loop}:${j}`;
        keys.push(key);
        pipeline.set(key, `${round}:${j}`).get(key);
      }
      inFlight++;
      let replies: unknown[];
      try {
        replies = await pipeline.exec();
      } catch (error) {
        fail(error as Error);
        if (!client.isOpen) return;
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      } finally {
        inFlight--;
      }
      if (replies.length !== size) fail(new Error(`pipeline ${loop}/${round}: ${replies.length} replies for ${size} commands`));
      keys.forEach((key, j) => {
        const [set, get] = [replies[2 * j], replies[2 * j + 1]];
        if (set === 'OK') acknowledged.set(key, `${round}:${j}`);
        if (set !== 'OK' || get !== `${round}:${j}`) {
          fail(set instanceof Error ? set : get instanceof Error ? get : new Error(`pipeline ${loop}/${round} pair ${j}: SET → ${String(set)}, GET → ${String(get)}, expected OK, ${round}:${j}`));
        }
      });
      completed++;
      // Commands that fail without a round trip would make this loop all microtasks: let timers
      // (the test's own timeouts among them) run.
      if (errors.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return {
    get completed() {
      return completed;
    },
    get inFlight() {
      return inFlight;
    },
    errors,
    async stop() {
      stopped = true;
      await Promise.all(runs);
      return { errors, acknowledged };
    },
  };
}

/** Runs `sample` every few milliseconds until the returned function is called. */
function sampling(sample: () => void): () => void {
  const timer = setInterval(sample, 2);
  return () => clearInterval(timer);
}

describe('a MOVING under load: 1 000 callers and 10 000-command pipelines', () => {
  const CALLERS = 1_000;
  const PIPELINES = 4;
  const SIZE = 10_000;

  it('zero errors, no lost write, every pipeline reply in order, every connection handed off, resources bounded', { timeout: 60_000 }, async () => {
    const recorder = maintenanceRecorder();
    let offlineDepth = 0;
    let spanning = 0;
    const pipelinesRef: { current: PipelineLoad | undefined } = { current: undefined };
    const watch: Hook = {
      name: 'bounds',
      onOfflineQueueChange: (e) => void (offlineDepth = Math.max(offlineDepth, e.depth)),
      // Pipelines sent before the shared connection's swap and answered after it: some of their
      // commands were written to the old connection, the rest moved to the new one.
      onHandoff: (e) => {
        if (e.stage === 'succeeded' && e.role === 'shared') spanning += pipelinesRef.current?.inFlight ?? 0;
      },
    };
    const client = await onA({ hooks: [recorder, watch], minIdleConns: 2, maintNotifications: { mode: 'enabled' } });
    const clientErrors: Error[] = [];
    client.on('error', (error) => clientErrors.push(error));
    await waitFor(() => client.connections().length === 3, 'the shared and two idle connections');

    // Warm-up: the same load once without a MOVING, so that what the first run allocates for good
    // (compiled code, socket buffers, the simulator's connections) is in the baseline.
    const warm = startLoad(client, CALLERS, 'load:warm:');
    const warmPipelines = startPipelines(client, PIPELINES, SIZE, 'load:pipe:');
    await waitFor(() => warmPipelines.completed >= PIPELINES, 'a warm-up pipeline per loop', 20_000);
    await progress(warm, 2 * CALLERS);
    // Kept until the end: the heap baseline holds maps the size of the measured run's.
    const warmed = [await warm.stop(), await warmPipelines.stop()] as const;
    expect(warmed[0].errors).toEqual([]);
    expect(warmed[1].errors).toEqual([]);
    const heapBefore = settledHeap();

    /** One MOVING from `from` to `to` under the full load; every check but the heap's. */
    const moveUnderLoad = async (from: NodeInfo, to: NodeInfo, round: number): Promise<{ commands: number; spanning: number; loaded: { held: number; heap: number } }> => {
      let maxHeld = 0;
      let maxHandoffQueue = 0;
      const stopSampling = sampling(() => {
        maxHeld = Math.max(maxHeld, client.connections().reduce((n, c) => n + c.pendingReplies + c.queuedCommands, 0));
        maxHandoffQueue = Math.max(maxHandoffQueue, client.maintNotifications!.getState().handoffs.queued);
      });
      spanning = 0;
      const before = new Set(client.connections().map((c) => c.id));
      const succeeded = recorder.handoffs('succeeded').length;
      const load = startLoad(client, CALLERS, `load:${round}:`);
      const pipelines = startPipelines(client, PIPELINES, SIZE, 'load:pipe:');
      pipelinesRef.current = pipelines;
      await progress(load, CALLERS, 20_000);
      await waitFor(() => pipelines.inFlight === PIPELINES, 'every pipeline loop sending');
      // What the commands in flight cost, live (reported, not asserted).
      const loaded = { held: client.connections().reduce((n, c) => n + c.pendingReplies + c.queuedCommands, 0), heap: settledHeap() };

      // When each connection was swapped and closed, for the message of a failure only (never asserted).
      const sentAt = performance.now();
      const steps: string[] = [];
      const at = (): string => `${(performance.now() - sentAt).toFixed(0)} ms`;
      const trace: Hook = {
        name: 'trace',
        onHandoff: (e) => void (e.stage === 'succeeded' && steps.push(`${e.role} ${e.connectionId} swapped at ${at()}`)),
        onConnectionClosed: (e) => void (before.has(e.connectionId) && steps.push(`${e.connectionId} closed (${e.reason}) at ${at()}`)),
      };
      client.addHook(trace);
      const moving = env.sim.moving({ from: [from.id], to: to.id, timeS: MOVING_TIME_S });
      await waitFor(
        () => recorder.handoffs('succeeded').length === succeeded + before.size || recorder.handoffs('failed').length > 0,
        'every connection handed off (or a handoff failed)', 20_000,
      );
      expect(recorder.handoffs('failed').map((e) => `${String(e.role)} ${String(e.connectionId)}: ${(e.error as Error).message}`)).toEqual([]);
      // Traffic after the move: more checked commands, and three full pipelines per loop.
      const afterMove = pipelines.completed;
      await progress(load, CALLERS, 20_000);
      await waitFor(() => pipelines.completed >= afterMove + 3 * PIPELINES, 'pipelines after the handoffs', 20_000);
      const { errors, acknowledged } = await load.stop();
      const piped = await pipelines.stop();
      const result = await moving;
      stopSampling();
      client.removeHook(trace);
      pipelinesRef.current = undefined;

      expect(errors).toEqual([]);
      expect(piped.errors).toEqual([]);
      expect(clientErrors).toEqual([]);
      expect(await lostWrites(env.direct, acknowledged)).toEqual([]);
      expect(await lostWrites(env.direct, piped.acknowledged)).toEqual([]);
      // Every caller had a write acknowledged, every pipeline key too.
      expect(acknowledged.size).toBe(CALLERS);
      expect(piped.acknowledged.size).toBe(PIPELINES * (SIZE / 2));
      expect(spanning).toBeGreaterThan(0);
      // The client moved everything itself, before time_s: the server had nothing left to close.
      expect(result.closed, `the server closed ${result.closed} at time_s (${MOVING_TIME_S} s): ${steps.join(', ')}`).toBe(0);
      await waitFor(() => client.connections().every((c) => !before.has(c.id) && c.endpoint.port === to.port), `only connections to ${to.id}`);
      expect(client.connections().map((c) => c.role).sort()).toEqual(['idle', 'idle', 'shared']);

      // Bounded: the client never held more commands than its callers had outstanding (one each)
      // plus the pipelines sent (10 000 each): nothing was duplicated or left behind by the swap.
      expect(maxHeld).toBeGreaterThan(SIZE);
      expect(maxHeld).toBeLessThanOrEqual(CALLERS + PIPELINES * SIZE);
      expect(offlineDepth).toBe(0);
      expect(maxHandoffQueue).toBeLessThanOrEqual(client.maintNotifications!.getState().handoffs.queueSize);
      for (const c of client.connections()) expect([c.pendingReplies, c.queuedCommands]).toEqual([0, 0]);
      expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
      // The manager forgot the closed connections: it knows exactly the open ones.
      expect(client.maintNotifications!.getState().connections.map((c) => c.connectionId).sort())
        .toEqual(client.connections().map((c) => c.id).sort());
      return { commands: load.ok + pipelines.completed * SIZE, spanning, loaded };
    };

    // Heap after a forced GC, after the warm-up (which still holds its result maps, as large as
    // the run's) and after the MOVING. The run sends at least 120 000 commands (12 pipelines after
    // the move alone): a leak of 40 bytes per command would be 4.8 MB, over the 4 MB allowed.
    // Measured: +0.1 to +0.4 MB (the test keeps nothing of the run once it is checked: a hook or
    // ref still holding its pipeline map would itself be ~2.8 MB).
    const run = await moveUnderLoad(env.a, env.b, 1);
    const heapAfter = settledHeap();
    const growth = heapAfter - heapBefore;
    console.log(`maint-load: ${run.commands} commands (${run.spanning} pipelines across the swap); heap after GC `
      + `${(heapBefore / MB).toFixed(1)} → ${(heapAfter / MB).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth / MB).toFixed(2)} MB, ×${(heapAfter / heapBefore).toFixed(3)}); `
      + `warm-up kept ${warmed[0].acknowledged.size + warmed[1].acknowledged.size} keys; with ${run.loaded.held} commands held, `
      + `${(run.loaded.heap / MB).toFixed(1)} MB live (${((run.loaded.heap - heapBefore) / Math.max(1, run.loaded.held)).toFixed(0)} B per command held)`);
    expect(growth).toBeLessThan(4 * MB);
  });
});

describe('a flood of 10 000 MOVING/MIGRATING pushes', () => {
  const CONNECTIONS = 4;
  const PER_CONNECTION = 2_500;

  it('one handoff and one window per connection, the handoff queue never full, timers and heap flat', { timeout: 60_000 }, async () => {
    const outcomes = new Map<string, number>();
    const handledMoving = new Map<number, number[]>();
    const windows = new Map<string, number>();
    const handoffs: Array<{ stage: string; connectionId: number; error: Error | undefined }> = [];
    let maxQueued = 0;
    let client: Client | undefined;
    const count: Hook = {
      name: 'flood',
      onNotificationHandled: (e) => {
        outcomes.set(`${e.type} ${e.outcome}`, (outcomes.get(`${e.type} ${e.outcome}`) ?? 0) + 1);
        if (e.type !== 'MOVING') return;
        if (e.outcome === 'handled') handledMoving.set(e.connectionId, [...(handledMoving.get(e.connectionId) ?? []), e.seq ?? -1]);
        // Right after each MOVING was handled, i.e. after any enqueue it caused.
        maxQueued = Math.max(maxQueued, client?.maintNotifications?.getState().handoffs.queued ?? 0);
      },
      onTimeoutRelaxed: (e) => void windows.set(`${e.connectionId} ${e.reason}`, (windows.get(`${e.connectionId} ${e.reason}`) ?? 0) + 1),
      onHandoff: (e) => void handoffs.push({ stage: e.stage, connectionId: e.connectionId, error: e.error }),
    };
    client = await onA({ hooks: [count], minIdleConns: CONNECTIONS - 1, maintNotifications: { mode: 'enabled', maxWorkers: 1, handoffQueueSize: CONNECTIONS } });
    const clientErrors: Error[] = [];
    client.on('error', (error) => clientErrors.push(error));
    await waitFor(() => client!.connections().length === CONNECTIONS, `${CONNECTIONS} connections`);
    const before = new Set(client.connections().map((c) => c.id));
    const handledCount = (): number => [...outcomes.values()].reduce((a, b) => a + b, 0);

    // Warm-up: the notification path once, without a handoff (MIGRATING then MIGRATED).
    const warmUp = Buffer.concat(Array.from({ length: 50 }, (_, i) => Buffer.concat([migratingFrame(i, 5, '["1"]'), migratedFrame(i, '["1"]')])));
    env.sim.sendToAll(warmUp, [env.a.id]);
    await waitFor(() => handledCount() === 100 * CONNECTIONS, 'the warm-up handled');
    outcomes.clear();
    windows.clear();
    const heapBefore = settledHeap();
    const timersBefore = timers();

    // Each connection gets the same 2 500 frames in one write: MIGRATING and MOVING alternating,
    // every MOVING seq twice (a duplicate), seqs increasing. 10 000 notifications in all.
    const frames: Buffer[] = [];
    for (let i = 0; i < PER_CONNECTION / 2; i++) {
      frames.push(migratingFrame(500_000 + i, 5, '["1"]'), movingFrame(600_000 + Math.floor(i / 2), 5, `127.0.0.1:${env.b.port}`));
    }
    const load = startLoad(client, 50, 'flood:');
    await progress(load, 100);
    const sent = env.sim.sendToAll(Buffer.concat(frames), [env.a.id]);
    expect(sent.map((s) => s.success)).toEqual(Array(CONNECTIONS).fill(true));
    await waitFor(() => handledCount() === CONNECTIONS * PER_CONNECTION, 'all 10 000 notifications handled', 30_000);
    await waitFor(() => handoffs.filter((h) => h.stage === 'succeeded').length === CONNECTIONS, 'one handoff per connection');
    await progress(load, 200);
    const { errors } = await load.stop();
    await waitFor(() => client!.connections().every((c) => !before.has(c.id)), 'the old connections closed');

    expect(errors).toEqual([]);
    expect(clientErrors).toEqual([]);
    // Per (seq, connection): the first MOVING seq is acted on once on each connection; its
    // duplicate and every later one are ignored there (the connection is already moving).
    expect([...handledMoving.keys()].sort()).toEqual([...before].sort());
    for (const seqs of handledMoving.values()) expect(seqs).toEqual([600_000]);
    expect(outcomes.get('MOVING handled')).toBe(CONNECTIONS);
    expect(outcomes.get('MOVING ignored')).toBe(CONNECTIONS * (PER_CONNECTION / 2 - 1));
    expect((outcomes.get('MIGRATING handled') ?? 0) + (outcomes.get('MIGRATING ignored') ?? 0)).toBe(CONNECTIONS * (PER_CONNECTION / 2));
    expect(handoffs.filter((h) => h.stage === 'queued')).toHaveLength(CONNECTIONS);
    expect(handoffs.filter((h) => h.stage === 'started')).toHaveLength(CONNECTIONS);
    expect(handoffs.filter((h) => h.stage === 'failed')).toEqual([]);
    expect(maxQueued).toBeLessThanOrEqual(CONNECTIONS);
    // 1 250 MIGRATING per connection open one window there (the rest move its backstop); a
    // replacement inherits it once.
    for (const [key, n] of windows) expect([key, n]).toEqual([key, 1]);
    for (const id of before) expect(windows.get(`${id} MIGRATING`)).toBe(1);

    // Flat: one open window (and its backstop timer, unref'd, so not among the process's active
    // timers) per connection and reason: on the replacements MIGRATING and HANDOFF, not one per
    // notification. Timers that hold the process open are back to where they were (give or take
    // an incidental one: thousands would be a leak); the heap after a forced GC near where it was.
    const open = client.maintNotifications!.getState().connections.map((c) => c.relaxed.map((w) => w.reason).sort().join());
    expect(open).toEqual(Array(CONNECTIONS).fill('HANDOFF,MIGRATING'));
    const timersAfter = timers();
    const heapAfter = settledHeap();
    const growth = heapAfter - heapBefore;
    console.log(`maint-load flood: handoff queue at most ${maxQueued} of ${CONNECTIONS}; windows open ${open.join(' | ')}; timers ${timersBefore} → ${timersAfter}; `
      + `heap after GC ${(heapBefore / MB).toFixed(1)} → ${(heapAfter / MB).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth / MB).toFixed(2)} MB, ×${(heapAfter / heapBefore).toFixed(2)})`);
    expect(timersAfter).toBeLessThanOrEqual(timersBefore + 2);
    expect(growth).toBeLessThan(8 * MB);
  });
});
