/**
 * Planned maintenance under load: hitless (compiled by tsc, as shipped) vs node-redis 6.3.1, through
 * the SAME maintenance simulator (two nodes in front of one fresh redis-server) in the same run, one
 * client after the other (the order alternates per round), each under the same 50-caller SET/GET load.
 * The simulator runs in a child process (bench/maintenance-simulator.ts), as a real endpoint would:
 * its proxying must not share the measured clients' event loop and heap.
 *
 *   npx tsx bench/maintenance.ts [--rounds N] [--only moving-200,moving-500,churn] [--json FILE] …
 *
 * This is a report, not a test: missed targets are printed as MISSED and the exit code stays 0.
 */
import { execFileSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createClient as createNodeRedis } from 'redis';
import type { Hook } from '../src/index.js';
import type { ConnectionInfo, NodeInfo, ScenarioResult } from '../src/simulator/index.js';
import { RemoteSimulator } from './maintenance-simulator.js';
import { compileHitless, type HitlessModule } from './compile.js';
import { compareWrites, probeWait, processPauses, startLoad, startLoopMonitor, startRedisProbe, windowStats, type CommandLog, type ErrorGroup, type Load, type LoopMonitor, type LostWrites, type RedisProbe, type WindowStats } from './maintenance-load.js';
import { startServer, type BenchServer } from './redis-server.js';
import { table } from './stats.js';

const SCENARIOS = ['moving-200', 'moving-500', 'churn'] as const;
type ScenarioName = (typeof SCENARIOS)[number];
const CLIENTS = ['hitless', 'node-redis'] as const;
type ClientName = (typeof CLIENTS)[number];

const HELP = `Usage: npx tsx bench/maintenance.ts [options]

Planned maintenance under load, hitless vs node-redis 6.3.1, through one maintenance simulator
(src/simulator, nodes A and B, both in front of one fresh redis-server on a free loopback port;
the simulator runs in a child process, so its proxying does not share the clients' event loop;
both are stopped at the end and on Ctrl-C). hitless is compiled by tsc first (as shipped).
Each client in turn (the order alternates per round) connects to node A with maintenance
notifications enabled and carries a load of concurrent callers, each SETting its own key to an
increasing counter and GETting it back. Scenarios:
  moving-200  after the warm-up, node B gets a 200 ms connect delay, then MOVING A -> B
              (time_s 3; the simulator closes A's old connections after it). Window: from the
              MOVING until sim.moving() resolves, plus 0.5 s.
  moving-500  the same with a 500 ms connect delay.
  churn       maintenance every --churn-interval-ms for --churn-seconds, cycling migrate
              (MIGRATING, 1 s, MIGRATED), failover (FAILING_OVER, 1 s, FAILED_OVER) and moving
              (time_s 2, alternating A -> B and B -> A). Window: from the first event until the
              last one resolves, plus 0.5 s.
Measured per client and scenario: commands ok, errors (count, first 3 distinct messages), lost
writes (every acknowledged key read back straight from redis-server afterwards), p50/p99/max
latency of commands that started inside the window, and the longest stall (longest interval in
the window with no successful completion). Targets (for hitless): max latency <= 20 ms at a 200 ms
connect delay, longest stall under churn <= 250 ms, zero errors, zero lost writes.

Options:
  --rounds N                 rounds (default 1); each runs every scenario with both clients
  --only LIST                comma-separated scenarios: ${SCENARIOS.join(', ')} (default all)
  --clients LIST             comma-separated clients: ${CLIENTS.join(', ')} (default both)
  --churn-seconds S          how long churn keeps starting maintenance events (default 15)
  --churn-interval-ms MS     time between the starts of churn events (default 1500)
  --churn-connect-delay MS   connect delay of both nodes during churn (default 0)
  --callers N                concurrent callers per client (default 50)
  --warmup-ms MS             load before the maintenance starts (default 1000)
  --node-redis-timeout MS    node-redis commandOptions.timeout (default: not set, i.e. its own
                             default of 5000 ms; 0 = none). That per-command timer costs
                             node-redis 6.3.1 most of its throughput and ~25 % of the time in GC
  --json FILE                also write every number (per round, per client) to FILE
  --help, -h                 this text
Exit code 0 whether or not a target is met (2 for a bad option).
`;

interface Options {
  rounds: number;
  scenarios: ScenarioName[];
  clients: ClientName[];
  churnSeconds: number;
  churnIntervalMs: number;
  churnConnectDelayMs: number;
  callers: number;
  warmupMs: number;
  json: string | undefined;
  nodeRedisTimeout: number | undefined;
}

class UsageError extends Error {}

function numberOption(name: string, raw: string | undefined, fallback: number, check: { integer?: boolean; min: number; max: number }): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const kind = check.integer ? 'an integer' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(value) || (check.integer && !Number.isInteger(value)) || value < check.min || value > check.max) {
    throw new UsageError(`--${name} must be ${kind} from ${check.min} to ${check.max}, got "${raw}"`);
  }
  return value;
}

function listOption<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw === undefined) return [...allowed];
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${name} needs at least one of ${allowed.join(', ')}, got "${raw}"`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`--${name}: unknown "${item}" (choose from ${allowed.join(', ')})`);
  }
  return allowed.filter((a) => items.includes(a));
}

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rounds: { type: 'string' },
        only: { type: 'string' },
        clients: { type: 'string' },
        'churn-seconds': { type: 'string' },
        'churn-interval-ms': { type: 'string' },
        'churn-connect-delay': { type: 'string' },
        callers: { type: 'string' },
        'warmup-ms': { type: 'string' },
        json: { type: 'string' },
        'node-redis-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.json !== undefined && values.json.trim() === '') throw new UsageError('--json needs a file name');
  return {
    rounds: numberOption('rounds', values.rounds, 1, { integer: true, min: 1, max: 100 }),
    scenarios: listOption('only', values.only, SCENARIOS),
    clients: listOption('clients', values.clients, CLIENTS),
    churnSeconds: numberOption('churn-seconds', values['churn-seconds'], 15, { min: 0.1, max: 3600 }),
    churnIntervalMs: numberOption('churn-interval-ms', values['churn-interval-ms'], 1500, { integer: true, min: 100, max: 60_000 }),
    churnConnectDelayMs: numberOption('churn-connect-delay', values['churn-connect-delay'], 0, { integer: true, min: 0, max: 60_000 }),
    callers: numberOption('callers', values.callers, 50, { integer: true, min: 1, max: 10_000 }),
    warmupMs: numberOption('warmup-ms', values['warmup-ms'], 1000, { integer: true, min: 200, max: 600_000 }),
    json: values.json,
    nodeRedisTimeout:
      values['node-redis-timeout'] === undefined ? undefined : numberOption('node-redis-timeout', values['node-redis-timeout'], 0, { integer: true, min: 0, max: 600_000 }),
  };
}

const begun = performance.now();
let quiet = false;
function log(line: string): void {
  if (quiet) return;
  console.log(`[maint ${((performance.now() - begun) / 1000).toFixed(1).padStart(6)}s] ${line}`);
}

// ---------------------------------------------------------------------------------------------
// Clients

interface ClientEvent {
  /** performance.now() */
  at: number;
  what: string;
}

interface MaintClient {
  readonly name: ClientName;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  /** Maintenance/handoff/reconnect events as the client reports them. */
  readonly events: ClientEvent[];
  /** Messages of the client's 'error' events (not command errors). */
  readonly errorEvents: string[];
  /** What the client says about its own maintenance state, for the report. */
  describe(): string;
  close(): Promise<void>;
  destroy(): void;
}

const endpoint = (e: { host: string; port: number }): string => `${e.host}:${e.port}`;

async function hitlessClient(hitless: HitlessModule, port: number): Promise<MaintClient> {
  const events: ClientEvent[] = [];
  const errorEvents: string[] = [];
  const push = (what: string): void => void events.push({ at: performance.now(), what });
  // Maintenance events only (no per-command members), so the command path is as shipped.
  const recorder: Hook = {
    name: 'bench-maintenance',
    onHandoff: (e) =>
      push(`handoff ${e.stage} conn ${e.connectionId} ${endpoint(e.from)} -> ${endpoint(e.to)} attempt ${e.attempt} at ${e.duration.toFixed(0)} ms${e.replacementId === undefined ? '' : ` (new conn ${e.replacementId})`}${e.error ? `: ${e.error.message}` : ''}`),
    onNotificationHandled: (e) => {
      if (e.outcome !== 'handled') push(`notification ${e.type} seq ${e.seq} on conn ${e.connectionId}: ${e.outcome}${e.detail ? ` (${e.detail})` : ''}${e.error ? `: ${e.error.message}` : ''}`);
    },
    onCircuitBreakerStateChange: (e) => push(`circuit breaker ${e.endpoint}: ${e.from} -> ${e.to}`),
  };
  const client = hitless.createClient({
    host: '127.0.0.1',
    port,
    maintNotifications: { mode: 'enabled', relaxedTimeout: 10_000 },
    hooks: [recorder],
  });
  client.on('error', (error) => void errorEvents.push(`${error.name}: ${error.message}`));
  client.on('reconnecting', (e) => push(`reconnecting (attempt ${e.attempt}, in ${e.delay} ms${e.error ? `, after ${e.error.message}` : ''})`));
  await client.connect();
  return {
    name: 'hitless',
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    events,
    errorEvents,
    describe: () => {
      const state = client.maintNotifications?.getState();
      if (state === undefined) return 'client.maintNotifications is undefined (disabled?)';
      const conns = state.connections.map((c) => `conn ${c.connectionId} ${c.role} ${endpoint(c.server)} optedIn=${c.optedIn}`);
      return `mode ${state.mode}, endpointType ${state.endpointType}; ${conns.join('; ') || 'no connections'}`;
    },
    close: () => client.close(),
    destroy: () => client.destroy(),
  };
}

let nodeRedisSubscribed = false;
let nodeRedisSink: ((what: string) => void) | undefined;

async function nodeRedisClient(port: number, commandTimeout: number | undefined): Promise<MaintClient> {
  const events: ClientEvent[] = [];
  const errorEvents: string[] = [];
  const push = (what: string): void => void events.push({ at: performance.now(), what });
  // node-redis has no maintenance events on the client; its diagnostics channels say when a
  // handoff finished (no REDIS_EMIT_DIAGNOSTICS needed: that only gates the legacy channel).
  if (!nodeRedisSubscribed) {
    nodeRedisSubscribed = true;
    diagnostics.subscribe('node-redis:connection:handoff', () => nodeRedisSink?.('handoff done (node-redis:connection:handoff)'));
    diagnostics.subscribe('node-redis:maintenance', (m) => nodeRedisSink?.(`notification ${(m as { notification?: string }).notification}`));
  }
  nodeRedisSink = push;
  const options = {
    socket: { host: '127.0.0.1', port },
    RESP: 3 as const,
    maintNotifications: 'enabled' as const,
    // auto would pick external-ip for 127.0.0.1 (node-redis counts loopback as public); the
    // simulator announces its 127.0.0.x address for both -ip types, so either works.
    maintEndpointType: 'internal-ip' as const,
    maintRelaxedCommandTimeout: 10_000,
    ...(commandTimeout === undefined ? {} : { commandOptions: { timeout: commandTimeout } }),
  };
  const client = createNodeRedis(options);
  client.on('error', (error: Error) => void errorEvents.push(`${error.name}: ${error.message}`));
  client.on('reconnecting', () => push('reconnecting'));
  await client.connect();
  return {
    name: 'node-redis',
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    events,
    errorEvents,
    // node-redis mutates the options object it was given on MOVING (socket host/port).
    describe: () => `isReady ${client.isReady}, socket now ${options.socket.host}:${options.socket.port}`,
    close: async () => {
      await client.close();
    },
    destroy: () => client.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------
// Which simulator connections belong to the client under test, sampled every 10 ms.

interface TrackedConnection {
  id: string;
  nodeId: string;
  firstSeen: number;
  lastSeen: number;
  optedIn: boolean;
  optedInAt: number | undefined;
  endpointType: string | undefined;
  notifications: string[];
}

class ConnectionTracker {
  readonly #sim: RemoteSimulator;
  readonly #before: Set<string>;
  readonly connections = new Map<string, TrackedConnection>();
  /** Sample times and, per sample, the node ids of the client's open connections. */
  readonly samples: Array<{ at: number; nodes: string[] }> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(sim: RemoteSimulator) {
    this.#sim = sim;
    this.#before = new Set(sim.connections().map((c) => c.id));
  }

  start(): void {
    this.poll();
    this.#timer = setInterval(() => this.poll(), 10);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.poll();
  }

  poll(): void {
    const now = performance.now();
    const open: string[] = [];
    for (const c of this.#sim.connections() as ConnectionInfo[]) {
      if (this.#before.has(c.id)) continue;
      open.push(c.nodeId);
      const known = this.connections.get(c.id);
      if (known === undefined) {
        this.connections.set(c.id, {
          id: c.id, nodeId: c.nodeId, firstSeen: now, lastSeen: now, optedIn: c.optedIn,
          optedInAt: c.optedIn ? now : undefined, endpointType: c.endpointType, notifications: [...c.notifications],
        });
      } else {
        known.lastSeen = now;
        if (c.optedIn && !known.optedIn) known.optedInAt = now;
        known.optedIn = c.optedIn;
        known.endpointType = c.endpointType;
        known.notifications = [...c.notifications];
      }
    }
    this.samples.push({ at: now, nodes: open });
  }

  /** The client's connections open on `nodeId` now. */
  openOn(nodeId: string): TrackedConnection[] {
    const last = this.samples[this.samples.length - 1];
    if (last === undefined) return [];
    return [...this.connections.values()].filter((c) => c.nodeId === nodeId && c.lastSeen === last.at);
  }

  /** After `since`: when an opted-in connection was first seen on `to`, and when none was left on `from`. */
  move(since: number, from: string, to: string): { reachedMs: number | undefined; leftMs: number | undefined } {
    let reached: number | undefined;
    for (const c of this.connections.values()) {
      if (c.nodeId === to && c.optedInAt !== undefined && c.optedInAt >= since) reached = Math.min(reached ?? Infinity, c.optedInAt);
    }
    const left = this.samples.find((s) => s.at >= since && !s.nodes.includes(from))?.at;
    return { reachedMs: reached === undefined ? undefined : reached - since, leftMs: left === undefined ? undefined : left - since };
  }
}

// ---------------------------------------------------------------------------------------------
// One client through one scenario

interface MoveRecord {
  from: string;
  to: string;
  /** ms after the window start. */
  atMs: number;
  /** ms after the MOVING: an opted-in connection of the client appeared on the target. */
  reachedTargetMs: number | undefined;
  /** ms after the MOVING: the client had no connection left on the source. */
  leftSourceMs: number | undefined;
  /** Old connections the simulator had to close itself after time_s (the client had not left). */
  closedBySimulator: number;
  delivered: number;
}

interface MaintenanceEventRecord {
  kind: 'migrate' | 'failover' | 'moving';
  /** ms after the window start. */
  startMs: number;
  endMs: number;
  result?: ScenarioResult;
  error?: string;
}

/**
 * What else was slow (ms): loopBlocked = longest stretch with no 2 ms timer tick in this process,
 * gc = GC pause time, redisProbe = longest wait of a PING sent straight to redis-server.
 */
interface Pauses {
  loopBlocked: number;
  gc: number;
  redisProbe: number;
}

interface RunResult {
  round: number;
  scenario: ScenarioName;
  client: ClientName;
  order: number;
  optIn: { connections: number; optedIn: number; endpointTypes: string[]; clientSays: string };
  connectDelayMs: number;
  ok: number;
  errors: number;
  errorGroups: ErrorGroup[];
  /** Errors in ms after the window start (first 50). */
  errorTimesMs: number[];
  window: WindowStats;
  /**
   * Each MOVING's handoff interval (the MOVING .. the client had left the old node, + 100 ms):
   * the worst max latency and stall of commands in it, over all MOVINGs of the run.
   */
  handoff: { max: number; stall: number; intervals: Array<{ fromMs: number; toMs: number }> };
  /** Per 50 ms of the window (by command start): the slowest command and how many started. */
  timeline: { bucketMs: number; maxLatencyMs: number[]; started: number[] };
  /** Warm-up (after its first 200 ms) until the maintenance starts: what normal looks like. */
  baseline: WindowStats;
  /** The 10 slowest commands started in the window: start (ms after window start) and latency. */
  slowest: Array<{ startMs: number; latencyMs: number; failed: boolean }>;
  lost: LostWrites;
  /**
   * The process itself (ms): the longest stretch with no 2 ms timer tick, and GC pause time,
   * during the worst stall, during the slowest command, over the whole window and the baseline.
   */
  pauses: {
    duringStall: Pauses;
    duringMax: Pauses;
    window: Pauses;
    baseline: Pauses;
  };
  moves: MoveRecord[];
  maintenance: MaintenanceEventRecord[];
  clientEvents: Array<{ atMs: number; what: string }>;
  clientErrorEvents: string[];
  clientStateAfter: string;
  connections: Array<Omit<TrackedConnection, 'firstSeen' | 'lastSeen' | 'optedInAt'> & { firstSeenMs: number; lastSeenMs: number; optedInAtMs: number | undefined; node: string }>;
  stoppedCleanly: boolean;
  closedCleanly: boolean;
}

interface Env {
  hitless: HitlessModule;
  sim: RemoteSimulator;
  A: NodeInfo;
  B: NodeInfo;
  redis: BenchServer;
  reader: ReturnType<typeof createNodeRedis>;
  options: Options;
  active: Set<MaintClient>;
  trackers: Set<ConnectionTracker>;
  monitors: Set<LoopMonitor>;
  probes: Set<RedisProbe>;
  loads: Set<Load>;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function timeline(log: CommandLog, from: number, to: number, bucketMs: number): RunResult['timeline'] {
  const n = Math.max(1, Math.ceil((to - from) / bucketMs));
  const maxLatencyMs = new Array<number>(n).fill(0);
  const started = new Array<number>(n).fill(0);
  for (let i = 0; i < log.starts.length; i++) {
    const start = log.starts.at(i);
    if (start < from || start > to) continue;
    const b = Math.min(n - 1, Math.floor((start - from) / bucketMs));
    started[b]!++;
    maxLatencyMs[b] = Math.max(maxLatencyMs[b]!, Math.round((log.ends.at(i) - start) * 100) / 100);
  }
  return { bucketMs, maxLatencyMs, started };
}

function slowest(log: CommandLog, from: number, to: number, n: number): RunResult['slowest'] {
  const picked: RunResult['slowest'] = [];
  for (let i = 0; i < log.starts.length; i++) {
    const start = log.starts.at(i);
    if (start < from || start > to) continue;
    const latencyMs = log.ends.at(i) - start;
    if (picked.length < n || latencyMs > picked[picked.length - 1]!.latencyMs) {
      picked.push({ startMs: start - from, latencyMs, failed: log.failed.at(i) === 1 });
      picked.sort((a, b) => b.latencyMs - a.latencyMs);
      if (picked.length > n) picked.pop();
    }
  }
  return picked;
}

async function runOne(env: Env, round: number, scenario: ScenarioName, name: ClientName, order: number): Promise<RunResult> {
  const { sim, A, B, options } = env;
  const tag = `round ${round}/${options.rounds} ${scenario} ${name}`;
  const nodeName = (id: string): string => (id === A.id ? 'A' : id === B.id ? 'B' : id);
  await sim.setFaults({ connectDelayMs: 0 }, [A.id, B.id]);

  const tracker = new ConnectionTracker(sim);
  env.trackers.add(tracker);
  const client = name === 'hitless' ? await hitlessClient(env.hitless, A.port) : await nodeRedisClient(A.port, options.nodeRedisTimeout);
  env.active.add(client);
  tracker.start();
  // The opt-in reply has been forwarded by the time connect() resolves; give the sampler a moment.
  const optDeadline = performance.now() + 2000;
  while (tracker.openOn(A.id).every((c) => !c.optedIn) && performance.now() < optDeadline) {
    await sleep(10);
    tracker.poll();
  }
  const onA = tracker.openOn(A.id);
  const optIn = {
    connections: onA.length,
    optedIn: onA.filter((c) => c.optedIn).length,
    endpointTypes: [...new Set(onA.map((c) => c.endpointType ?? 'none requested'))],
    clientSays: client.describe(),
  };
  log(`${tag}: connected to A; simulator sees ${optIn.connections} connection(s), ${optIn.optedIn} opted in (${optIn.endpointTypes.join(', ')})`);
  if (optIn.optedIn === 0) log(`${tag}: WARNING: ${name} did not opt in to maintenance notifications; its numbers below are without them`);

  const prefix = `maint:${round}:${scenario}:${name}:`;
  const monitor = startLoopMonitor();
  env.monitors.add(monitor);
  const probe = startRedisProbe(env.redis.host, env.redis.port);
  env.probes.add(probe);
  const load = startLoad(client, options.callers, prefix);
  env.loads.add(load);
  const loadStart = performance.now();
  await sleep(options.warmupMs);
  log(`${tag}: warmed up (${load.ok} commands ok, ${load.errors} errors)`);

  const moves: MoveRecord[] = [];
  const maintenance: MaintenanceEventRecord[] = [];
  let windowStart: number;
  let windowEnd: number;
  let connectDelayMs: number;

  if (scenario === 'moving-200' || scenario === 'moving-500') {
    connectDelayMs = scenario === 'moving-200' ? 200 : 500;
    await sim.setFaults({ connectDelayMs }, [B.id]);
    windowStart = performance.now();
    log(`${tag}: node B connect delay ${connectDelayMs} ms; MOVING A -> B (time_s 3)`);
    const result = await sim.moving({ from: [A.id], to: B.id, timeS: 3 });
    const resolved = performance.now();
    maintenance.push({ kind: 'moving', startMs: 0, endMs: resolved - windowStart, result });
    log(`${tag}: moving() resolved after ${(resolved - windowStart).toFixed(0)} ms (MOVING delivered to ${result.delivered.MOVING ?? 0}, old connections closed by the simulator ${result.closed}); load continues 0.5 s`);
    await sleep(500);
    windowEnd = performance.now();
    const move = tracker.move(windowStart, A.id, B.id);
    moves.push({ from: 'A', to: 'B', atMs: 0, reachedTargetMs: move.reachedMs, leftSourceMs: move.leftMs, closedBySimulator: result.closed, delivered: result.delivered.MOVING ?? 0 });
  } else {
    connectDelayMs = options.churnConnectDelayMs;
    if (connectDelayMs > 0) await sim.setFaults({ connectDelayMs }, [A.id, B.id]);
    windowStart = performance.now();
    const churnMs = options.churnSeconds * 1000;
    const pending: Array<Promise<void>> = [];
    let on = A;
    let movingCount = 0;
    log(`${tag}: churn for ${options.churnSeconds} s, an event every ${options.churnIntervalMs} ms (connect delay ${connectDelayMs} ms)`);
    for (let i = 0; i * options.churnIntervalMs < churnMs; i++) {
      const at = windowStart + i * options.churnIntervalMs;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      const kind = (['migrate', 'failover', 'moving'] as const)[i % 3]!;
      const record: MaintenanceEventRecord = { kind, startMs: performance.now() - windowStart, endMs: NaN };
      maintenance.push(record);
      let promise: Promise<ScenarioResult>;
      let moveInfo: { from: NodeInfo; to: NodeInfo; since: number } | undefined;
      if (kind === 'migrate') promise = sim.migrate({ waitMs: 1000 });
      else if (kind === 'failover') promise = sim.failover({ waitMs: 1000 });
      else {
        const to = on === A ? B : A;
        moveInfo = { from: on, to, since: performance.now() };
        promise = sim.moving({ from: [on.id], to: to.id, timeS: 2 });
        on = to;
        movingCount++;
      }
      const done = moveInfo;
      pending.push(
        promise.then(
          (result) => {
            record.endMs = performance.now() - windowStart;
            record.result = result;
            if (done !== undefined) {
              const move = tracker.move(done.since, done.from.id, done.to.id);
              moves.push({
                from: nodeName(done.from.id), to: nodeName(done.to.id), atMs: done.since - windowStart, reachedTargetMs: move.reachedMs,
                leftSourceMs: move.leftMs, closedBySimulator: result.closed, delivered: result.delivered.MOVING ?? 0,
              });
            }
          },
          (error: unknown) => {
            record.endMs = performance.now() - windowStart;
            record.error = String(error);
          },
        ),
      );
      if (i % 3 === 2 || i === 0) log(`${tag}: +${(record.startMs / 1000).toFixed(1)} s ${kind}${moveInfo ? ` ${nodeName(moveInfo.from.id)} -> ${nodeName(moveInfo.to.id)}` : ''} (${load.ok} ok, ${load.errors} errors so far)`);
    }
    await Promise.all(pending);
    log(`${tag}: last event resolved at +${((performance.now() - windowStart) / 1000).toFixed(1)} s (${maintenance.length} events, ${movingCount} MOVINGs); load continues 0.5 s`);
    await sleep(500);
    windowEnd = performance.now();
  }

  const outcome = await load.stop(15_000);
  env.loads.delete(load);
  let stoppedCleanly = outcome.stoppedCleanly;
  if (!stoppedCleanly) {
    log(`${tag}: WARNING: callers still waiting 15 s after the load was told to stop; destroying the client`);
    client.destroy();
    stoppedCleanly = false;
    await load.stop(5000);
  }
  tracker.stop();
  env.trackers.delete(tracker);
  monitor.stop();
  env.monitors.delete(monitor);
  probe.stop();
  env.probes.delete(probe);
  const clientStateAfter = client.describe();
  const closed = await withTimeout(client.close().then(() => 'closed' as const, () => 'closed' as const), 5000);
  if (closed === 'timeout') {
    log(`${tag}: WARNING: close() did not finish within 5 s; destroyed`);
    client.destroy();
  }
  env.active.delete(client);
  await sim.setFaults({ connectDelayMs: 0 }, [A.id, B.id]);

  // Lost writes: read every acknowledged key straight from redis-server.
  const keys = [...outcome.acknowledged.keys()];
  const read = keys.length === 0 ? [] : await env.reader.mGet(keys);
  const lost = compareWrites(outcome.acknowledged, read as Array<string | null>);

  const window = windowStats(outcome.log, windowStart, windowEnd);
  const baseline = windowStats(outcome.log, loadStart + 200, windowStart);
  const intervals = moves.map((m) => ({ fromMs: m.atMs, toMs: m.atMs + (m.leftSourceMs ?? windowEnd - windowStart - m.atMs) + 100 }));
  const handoffStats = intervals.map((i) => windowStats(outcome.log, windowStart + i.fromMs, Math.min(windowEnd, windowStart + i.toMs)));
  const handoff = {
    max: Math.max(...handoffStats.map((x) => (Number.isFinite(x.max) ? x.max : 0))),
    stall: Math.max(...handoffStats.map((x) => x.stall)),
    intervals,
  };
  const worstCommand = slowest(outcome.log, windowStart, windowEnd, 10);
  const first = worstCommand[0];
  const during = (from: number, to: number): Pauses => ({ ...processPauses(monitor, from, to), redisProbe: probeWait(probe, from, to) });
  const pauses: RunResult['pauses'] = {
    duringStall: during(windowStart + window.stallAt, windowStart + window.stallAt + window.stall),
    duringMax: first === undefined ? { loopBlocked: NaN, gc: NaN, redisProbe: NaN } : during(windowStart + first.startMs, windowStart + first.startMs + first.latencyMs),
    window: during(windowStart, windowEnd),
    baseline: during(loadStart + 200, windowStart),
  };
  const rel = (t: number): number => Math.round((t - windowStart) * 10) / 10;
  const result: RunResult = {
    round, scenario, client: name, order, optIn, connectDelayMs,
    ok: outcome.ok, errors: outcome.errors, errorGroups: outcome.errorGroups.map((g) => ({ ...g, firstAt: rel(g.firstAt) })),
    errorTimesMs: outcome.errorTimes.slice(0, 50).map(rel),
    window, handoff, timeline: timeline(outcome.log, windowStart, windowEnd, 50), baseline,
    slowest: worstCommand.map((s) => ({ ...s, startMs: Math.round(s.startMs * 10) / 10, latencyMs: Math.round(s.latencyMs * 100) / 100 })),
    lost, pauses, moves, maintenance,
    clientEvents: client.events.map((e) => ({ atMs: rel(e.at), what: e.what })),
    clientErrorEvents: client.errorEvents.slice(0, 20),
    clientStateAfter,
    connections: [...tracker.connections.values()].map(({ firstSeen, lastSeen, optedInAt, ...c }) => ({
      ...c, node: nodeName(c.nodeId), firstSeenMs: rel(firstSeen), lastSeenMs: rel(lastSeen), optedInAtMs: optedInAt === undefined ? undefined : rel(optedInAt),
    })),
    stoppedCleanly,
    closedCleanly: closed !== 'timeout',
  };
  const moveText = moves.map((m) => `${m.from}->${m.to} ${m.leftSourceMs === undefined ? 'never left' : `left after ${m.leftSourceMs.toFixed(0)} ms`}${m.closedBySimulator ? ` (simulator closed ${m.closedBySimulator})` : ''}`).join(', ');
  log(
    `${tag}: done: ${outcome.ok} ok, ${outcome.errors} errors, lost ${lost.lost}; window p99 ${ms(window.p99)} max ${ms(window.max)} stall ${ms(window.stall)} ms; ${moveText}`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

function ms(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 1000 ? n.toFixed(0) : n >= 100 ? n.toFixed(1) : n.toFixed(2);
}

function times(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a <= 0) return 'n/a';
  const r = b / a;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

interface Target {
  text: string;
  met: (r: RunResult[]) => boolean;
}

const worst = (runs: RunResult[], f: (r: RunResult) => number): number => Math.max(...runs.map(f));
const total = (runs: RunResult[], f: (r: RunResult) => number): number => (runs.length === 0 ? NaN : runs.reduce((n, r) => n + f(r), 0));

function report(results: RunResult[], options: Options): Array<{ scenario: string; target: string; value: string; verdict: string }> {
  const verdicts: Array<{ scenario: string; target: string; value: string; verdict: string }> = [];
  const multi = options.rounds > 1;
  for (const scenario of options.scenarios) {
    const by = (client: ClientName): RunResult[] => results.filter((r) => r.scenario === scenario && r.client === client);
    const h = by('hitless');
    const n = by('node-redis');
    if (h.length === 0 && n.length === 0) continue;
    const first = h[0] ?? n[0]!;
    const windowText =
      scenario === 'churn'
        ? `window = first event .. last event resolved + 0.5 s (${(first.window.durationMs / 1000).toFixed(1)} s), ${first.maintenance.length} events, connect delay ${first.connectDelayMs} ms`
        : `node B connect delay ${first.connectDelayMs} ms; window = MOVING .. moving() resolved + 0.5 s (${(first.window.durationMs / 1000).toFixed(2)} s)`;
    console.log(`\n${scenario}: ${windowText}${multi ? `; counts summed over ${options.rounds} rounds, times = worst round` : ''}`);
    const col = (runs: RunResult[], f: (r: RunResult[]) => string): string => (runs.length === 0 ? '-' : f(runs));
    const targets: Record<string, Target | undefined> = {
      errors: { text: '0', met: (r) => total(r, (x) => x.errors) === 0 },
      lost: { text: '0', met: (r) => total(r, (x) => x.lost.lost) === 0 },
      max: scenario === 'moving-200' ? { text: '≤ 20 ms', met: (r) => worst(r, (x) => x.window.max) <= 20 } : undefined,
      stall: scenario === 'churn' ? { text: '≤ 250 ms', met: (r) => worst(r, (x) => x.window.stall) <= 250 } : undefined,
    };
    const targetCells = (key: string): [string, string] => {
      const t = targets[key];
      if (t === undefined || h.length === 0) return [t?.text ?? '', ''];
      return [t.text, t.met(h) ? 'MET' : 'MISSED'];
    };
    const latencyRow = (label: string, key: string, f: (x: RunResult) => number): string[] => {
      const hv = h.length ? worst(h, f) : NaN;
      const nv = n.length ? worst(n, f) : NaN;
      return [label, ms(hv), ms(nv), times(hv, nv), ...targetCells(key)];
    };
    /** Where (ms after the window start) the worst round's value happened. */
    const atRow = (label: string, f: (x: RunResult) => number, at: (x: RunResult) => number): string[] => {
      const cell = (runs: RunResult[]): string => {
        if (runs.length === 0) return '-';
        const w = runs.reduce((a, b) => (f(b) > f(a) ? b : a));
        return `+${ms(at(w))}`;
      };
      return [label, cell(h), cell(n), '', '', ''];
    };
    const pauseRow = (label: string, f: (x: RunResult) => number, at: (x: RunResult) => Pauses): string[] => {
      const cell = (runs: RunResult[]): string => {
        if (runs.length === 0) return '-';
        const p = at(runs.reduce((a, b) => (f(b) > f(a) ? b : a)));
        return `${ms(p.loopBlocked)} / ${ms(p.gc)} / ${ms(p.redisProbe)}`;
      };
      return [label, cell(h), cell(n), '', '', ''];
    };
    const gcShare = (runs: RunResult[]): string => {
      const w = runs.reduce((a, b) => (b.pauses.window.gc > a.pauses.window.gc ? b : a));
      return `${ms(w.pauses.window.gc)} ms (${((w.pauses.window.gc / w.window.durationMs) * 100).toFixed(0)}%)`;
    };
    const rows: string[][] = [
      ['commands ok', col(h, (r) => String(total(r, (x) => x.ok))), col(n, (r) => String(total(r, (x) => x.ok))), times(total(h, (x) => x.ok), total(n, (x) => x.ok)), '', ''],
      ['  of which started in window', col(h, (r) => String(total(r, (x) => x.window.okInWindow))), col(n, (r) => String(total(r, (x) => x.window.okInWindow))), times(total(h, (x) => x.window.okInWindow), total(n, (x) => x.window.okInWindow)), '', ''],
      ['errors', col(h, (r) => String(total(r, (x) => x.errors))), col(n, (r) => String(total(r, (x) => x.errors))), '', ...targetCells('errors')],
      ['lost writes', col(h, (r) => String(total(r, (x) => x.lost.lost))), col(n, (r) => String(total(r, (x) => x.lost.lost))), '', ...targetCells('lost')],
      latencyRow('p50 latency (ms)', 'p50', (x) => x.window.p50),
      latencyRow('p99 latency (ms)', 'p99', (x) => x.window.p99),
      latencyRow('max latency (ms)', 'max', (x) => x.window.max),
      latencyRow('longest stall (ms)', 'stall', (x) => x.window.stall),
      latencyRow('max latency in handoff interval', '', (x) => x.handoff.max),
      latencyRow('stall in handoff interval', '', (x) => x.handoff.stall),
      atRow('  worst max: started at (ms)', (x) => x.window.max, (x) => x.slowest[0]?.startMs ?? NaN),
      pauseRow('  worst max: loop/GC/redis PING', (x) => x.window.max, (x) => x.pauses.duringMax),
      atRow('  worst stall: began at (ms)', (x) => x.window.stall, (x) => x.window.stallAt),
      pauseRow('  worst stall: loop/GC/redis PING', (x) => x.window.stall, (x) => x.pauses.duringStall),
      latencyRow('longest loop block in window', '', (x) => x.pauses.window.loopBlocked),
      latencyRow('longest redis PING in window', '', (x) => x.pauses.window.redisProbe),
      ['GC pause time in window', col(h, (r) => gcShare(r)), col(n, (r) => gcShare(r)), '', '', ''],
      latencyRow('baseline p99 (ms, warm-up)', '', (x) => x.baseline.p99),
      latencyRow('baseline max / stall (ms)', '', (x) => Math.max(x.baseline.max, x.baseline.stall)),
      latencyRow('baseline longest loop block', '', (x) => x.pauses.baseline.loopBlocked),
      latencyRow('baseline longest redis PING', '', (x) => x.pauses.baseline.redisProbe),
    ];
    const moveCell = (runs: RunResult[]): string => {
      const all = runs.flatMap((r) => r.moves);
      if (all.length === 0) return '-';
      const left = all.map((m) => m.leftSourceMs);
      if (left.some((l) => l === undefined)) return `${left.filter((l) => l === undefined).length}/${all.length} never left`;
      return `${ms(Math.max(...(left as number[])))} ms`;
    };
    rows.push(['left old node after (worst)', moveCell(h), moveCell(n), '', '', '']);
    const closedBySim = (runs: RunResult[]): string => (runs.length === 0 ? '-' : String(total(runs, (x) => x.moves.reduce((k, m) => k + m.closedBySimulator, 0))));
    rows.push(['old conns closed by simulator', closedBySim(h), closedBySim(n), '', '', '']);
    console.log(table(['', 'hitless', 'node-redis', 'node-redis÷hitless', 'target (hitless)', ''], rows));
    for (const [label, runs] of [['hitless', h], ['node-redis', n]] as const) {
      for (const r of runs) {
        const later = r.connections.filter((c) => c.firstSeenMs >= 0);
        const opt = `opted in: ${r.optIn.optedIn}/${r.optIn.connections} connection(s) on A (${r.optIn.endpointTypes.join(', ')}); connections opened during maintenance: ${later.length}, ${later.filter((c) => c.optedIn).length} opted in`;
        const groups = r.errorGroups.slice(0, 3).map((g) => `${g.count}× "${g.example}" (first at +${g.firstAt} ms)`);
        const extra = [
          r.lost.newer > 0 ? `${r.lost.newer} keys newer than acknowledged (a failed SET that still ran)` : '',
          !r.stoppedCleanly ? 'callers hung after stop (client destroyed)' : '',
          !r.closedCleanly ? 'close() hung (destroyed)' : '',
          r.clientErrorEvents.length > 0 ? `'error' events: ${r.clientErrorEvents.length} (first: ${r.clientErrorEvents[0]})` : '',
        ].filter((s) => s !== '');
        console.log(`  ${label}${multi ? ` round ${r.round}` : ''}: ${opt}${groups.length ? `; errors: ${groups.join('; ')}` : ''}${extra.length ? `; ${extra.join('; ')}` : ''}`);
        for (const m of r.lost.examples) console.log(`    lost: ${m}`);
      }
    }
    for (const key of ['errors', 'lost', 'max', 'stall'] as const) {
      const t = targets[key];
      if (t === undefined || h.length === 0) continue;
      const value = key === 'errors' ? String(total(h, (x) => x.errors)) : key === 'lost' ? String(total(h, (x) => x.lost.lost)) : `${ms(worst(h, (x) => (key === 'max' ? x.window.max : x.window.stall)))} ms`;
      verdicts.push({ scenario, target: `${key === 'errors' ? 'errors' : key === 'lost' ? 'lost writes' : key === 'max' ? 'max latency' : 'longest stall'} ${t.text}`, value, verdict: t.met(h) ? 'MET' : 'MISSED' });
    }
  }
  if (verdicts.length > 0) {
    console.log('\nTargets for hitless:');
    console.log(table(['scenario', 'target', 'hitless', ''], verdicts.map((v) => [v.scenario, v.target, v.value, v.verdict])));
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let parsed: Options | 'help';
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench/maintenance.ts: ${error.message}\nRun with --help for the options.`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
  const options = parsed;
  const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  const loadStart = os.loadavg();
  console.log(`hitless maintenance benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}; ${redisVersion}`);
  console.log(`${new Date().toISOString()}; rounds ${options.rounds}; scenarios ${options.scenarios.join(', ')}; clients ${options.clients.join(', ')}; ${options.callers} callers; warm-up ${options.warmupMs} ms${options.nodeRedisTimeout === undefined ? '' : `; node-redis commandOptions.timeout ${options.nodeRedisTimeout}`}`);
  log(`load average ${loadStart.map((n) => n.toFixed(2)).join(' ')} (other processes on this machine add noise)`);
  log('compiling hitless with tsc (tsconfig.build.json) ...');
  // compile.ts's compiler into our own cache folder, so a concurrent bench/run.ts keeps its own build.
  const outDir = compileHitless('hitless-bench-maintenance');
  const hitless = (await import(pathToFileURL(`${outDir}/src/index.js`).href)) as HitlessModule;
  log(`hitless ${hitless.VERSION} from src/ compiled by tsc; node-redis 6.3.1 from node_modules`);

  const active = new Set<MaintClient>();
  const trackers = new Set<ConnectionTracker>();
  const monitors = new Set<LoopMonitor>();
  const loads = new Set<Load>();
  const probes = new Set<RedisProbe>();
  let redis: BenchServer | undefined;
  let sim: RemoteSimulator | undefined;
  let reader: ReturnType<typeof createNodeRedis> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const l of loads) void l.stop(0);
      for (const t of trackers) t.stop();
      for (const m of monitors) m.stop();
      for (const p of probes) p.stop();
      for (const c of active) c.destroy();
      reader?.destroy();
      await sim?.close().catch(() => {});
      await redis?.stop();
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    quiet = true;
    console.log(`\n[maint] ${signal}: stopping the simulator and redis-server${redis ? ` on port ${redis.port}` : ''}`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: RunResult[] = [];
  let nodes: NodeInfo[] = [];
  try {
    redis = await startServer();
    sim = await RemoteSimulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port } }, { upstream: { host: redis.host, port: redis.port } }] });
    nodes = sim.nodes();
    const [A, B] = nodes as [NodeInfo, NodeInfo];
    log(`redis-server on ${redis.host}:${redis.port}; simulator node A 127.0.0.1:${A.port} (announced as ${A.ipHost}:${A.port}), node B 127.0.0.1:${B.port} (announced as ${B.ipHost}:${B.port})`);
    reader = createNodeRedis({ socket: { host: redis.host, port: redis.port }, RESP: 3, maintNotifications: 'disabled' });
    reader.on('error', () => {});
    await reader.connect();
    const env: Env = { hitless, sim, A, B, redis, reader, options, active, trackers, monitors, probes, loads };
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? options.clients : [...options.clients].reverse();
      log(`round ${round}/${options.rounds}: order ${order.join(', ')}`);
      for (const scenario of options.scenarios) {
        for (const [i, name] of order.entries()) results.push(await runOne(env, round, scenario, name, i + 1));
      }
    }
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('simulator and redis-server stopped');
  }
  const loadEnd = os.loadavg();
  log(`load average at the end ${loadEnd.map((n) => n.toFixed(2)).join(' ')}`);
  const verdicts = report(results, options);
  console.log(`\nDone in ${Math.round((performance.now() - begun) / 1000)} s. (A report, not a test: the exit code is 0 whether or not targets are met.)`);
  if (options.json !== undefined) {
    const doc = {
      meta: {
        date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, redis: redisVersion,
        hitless: `${hitless.VERSION} (src/ compiled by tsc)`, nodeRedis: '6.3.1', loadAverage: { start: loadStart, end: loadEnd },
        options, nodes: nodes.map((n) => ({ id: n.id, port: n.port, ipHost: n.ipHost })),
        definitions: {
          window: 'moving-*: MOVING sent .. sim.moving() resolved + 500 ms; churn: first event .. last event resolved + 500 ms (performance.now(), ms)',
          latency: 'end - start of each command that started inside the window, successful or failed',
          stall: 'longest interval inside the window (edges included) without a successful command completion',
          lost: 'acknowledged keys whose value on redis-server (read directly after the load) is older or missing',
          baseline: 'the same statistics from 200 ms after the load started until the window start',
          pauses: 'redisProbe: longest wait of a PING on a raw connection straight to redis-server (one at a time, every 5 ms); loopBlocked: longest stretch without a tick of a 2 ms setInterval (event loop not running timers: sync work, GC, or the OS not scheduling the process); gc: GC pause time from PerformanceObserver, both clipped to the interval',
          times: 'ms relative to the window start unless named otherwise',
        },
      },
      verdicts,
      runs: results,
    };
    writeFileSync(options.json, JSON.stringify(doc, null, 2) + '\n');
    log(`wrote ${options.json}`);
  }
  return 0;
}

process.exitCode = await main();
