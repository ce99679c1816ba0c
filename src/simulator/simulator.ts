import { ActionRunner } from './actions.js';
import { validateFrames } from './frames.js';
import { SimulatorError, badInput } from './errors.js';
import { Interceptors } from './interceptors.js';
import { Maintenance } from './maintenance.js';
import { parseSlots } from './notifications.js';
import type { ProxyConnection } from './proxy-connection.js';
import { SimNode, type NodeHost } from './sim-node.js';
import { startControlServer, type ControlServer } from './control-server.js';
import type { DefaultInterceptor, MovingOptions, RelaxOptions, SendResult, SimulatorControl, SmigrateOptions } from './control.js';
import {
  DEFAULT_TIMINGS, type ActionRecord, type ConnectionInfo, type HostPort, type NodeFaults,
  type NodeInfo, type NodeOptions, type ProxyDefaults, type ScenarioResult, type ScenarioTimings,
} from './types.js';

/**
 * The maintenance simulator: simulated Redis Enterprise nodes in front of real redis-servers,
 * maintenance scenarios, and (optionally) the HTTP control APIs. This class is the typed
 * programmatic API; the HTTP routes are thin wrappers over it (through `SimulatorControl`).
 */

export type { DefaultInterceptor, MovingOptions, RelaxOptions, SendResult, SmigrateOptions } from './control.js';

export interface SimulatorOptions {
  nodes?: NodeOptions[];
  /** Scenario waits; tests shorten them. */
  timings?: Partial<ScenarioTimings>;
  /** Serve both HTTP control APIs here (loopback by default; port 0 picks one). Omit for none. */
  control?: { host?: string; port?: number };
  /**
   * cae-resp-proxy's defaults: `cluster` answers CLUSTER SLOTS from the simulated slot map.
   * `hitless` is accepted (the handshake is always answered). `logger` logs every connection
   * accepted and closed, and its traffic: each command, reply and push, abbreviated, per
   * connection id (cae's `[REQ]`/`[RES]` lines).
   */
  defaultInterceptors?: DefaultInterceptor[];
  /** Replay the last MIGRATED/FAILED_OVER to connections that opt in later. Default false. */
  replayLastCompletion?: boolean;
  /** The shards field of MIGRATING/MIGRATED/FAILING_OVER/FAILED_OVER. Default `["1"]`. */
  shards?: string;
  /** Where `logger` writes, one line per call. Default console.log. */
  log?: (line: string) => void;
  /** Defaults for nodes added with cae-resp-proxy's `POST /nodes` (its startup config). */
  proxyDefaults?: Partial<ProxyDefaults>;
}

const SLOTS = 16384;

export class Simulator implements SimulatorControl {
  readonly timings: ScenarioTimings;
  readonly interceptors = new Interceptors();
  readonly defaultInterceptors: Set<DefaultInterceptor>;
  readonly actions: ActionRunner;
  readonly shards: string;
  readonly proxyDefaults: ProxyDefaults;
  readonly #maintenance: Maintenance;
  readonly #nodes: SimNode[] = [];
  #slotOwner: SimNode[] = [];
  #control: ControlServer | undefined;
  #timers = new Set<{ timer: NodeJS.Timeout; reject: (err: Error) => void }>();
  #closed = false;
  readonly #log: (line: string) => void;
  readonly #host: NodeHost;

  private constructor(options: SimulatorOptions) {
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.defaultInterceptors = new Set(options.defaultInterceptors ?? []);
    this.shards = options.shards ?? '["1"]';
    this.proxyDefaults = { listenHost: '127.0.0.1', ...options.proxyDefaults };
    this.#log = options.log ?? ((line) => console.log(line));
    this.#maintenance = new Maintenance((ms) => this.sleep(ms));
    this.#maintenance.replayLastCompletion = options.replayLastCompletion ?? false;
    this.actions = new ActionRunner(this);
    this.#host = {
      intercept: (buffer, start, end) => (this.interceptors.isEmpty ? undefined : this.interceptors.match(buffer, start, end)),
      clusterSlots: () => (this.defaultInterceptors.has('cluster') ? this.#clusterSlotsReply() : undefined),
      trafficLog: this.defaultInterceptors.has('logger') ? this.#log : undefined,
      optedIn: (node, connection) => this.#maintenance.optedIn(node, connection),
    };
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const simulator = new Simulator(options);
    try {
      for (const node of options.nodes ?? []) await simulator.addNode(node);
      if (options.control !== undefined) {
        simulator.#control = await startControlServer(simulator, options.control.host ?? '127.0.0.1', options.control.port ?? 0);
      }
    } catch (err) {
      await simulator.close();
      throw err;
    }
    return simulator;
  }

  /** Where the HTTP control APIs listen, if started. */
  get controlAddress(): HostPort | undefined {
    return this.#control?.address;
  }
  /** The last sequence number used by a notification. */
  get seq(): number {
    return this.#maintenance.seq;
  }

  nodes(): NodeInfo[] {
    return this.#nodes.map((n) => n.info());
  }

  async addNode(options: NodeOptions): Promise<NodeInfo> {
    this.#assertOpen();
    if (!options.upstream || !options.upstream.host || !Number.isInteger(options.upstream.port)) throw badInput('a node needs an upstream {host, port}');
    const node = new SimNode(this.#host, { ...options, ipHost: options.ipHost ?? this.#freeLoopback(options) });
    await node.start();
    this.#nodes.push(node);
    this.#splitSlots();
    return node.info();
  }

  async removeNode(id: string): Promise<boolean> {
    const node = this.#nodes.find((n) => n.id === id);
    if (node === undefined) return false;
    this.#nodes.splice(this.#nodes.indexOf(node), 1);
    await node.stop();
    this.#splitSlots();
    return true;
  }

  connections(nodeId?: string): ConnectionInfo[] {
    return this.#nodesOrAll(nodeId === undefined ? undefined : [nodeId])
      .flatMap((n) => [...n.connections.values()].map((c) => c.info));
  }

  /** Sends whole RESP frames to one client connection (validated; never a partial frame). */
  send(connectionId: string, frames: Buffer): SendResult {
    validateFrames(frames);
    const connection = this.#connection(connectionId);
    if (connection === undefined) return { success: false, error: 'Connection not found', connectionId };
    if (!connection.writable) return { success: false, error: 'Client socket is not writable', connectionId };
    connection.inject(frames);
    return { success: true, connectionId };
  }

  /** Sends frames to every connection of the given nodes (default all). */
  sendToAll(frames: Buffer, nodeIds?: string[]): SendResult[] {
    validateFrames(frames);
    return this.#nodesOrAll(nodeIds).flatMap((n) => [...n.connections.keys()]).map((id) => this.send(id, frames));
  }

  dropConnection(connectionId: string): boolean {
    const connection = this.#connection(connectionId);
    connection?.close();
    return connection !== undefined;
  }

  /** Closes every connection of the given nodes (default all); returns how many. */
  dropConnections(nodeIds?: string[]): number {
    return this.#nodesOrAll(nodeIds).reduce((n, node) => n + node.dropConnections(), 0);
  }

  async setFaults(faults: Partial<NodeFaults>, nodeIds?: string[]): Promise<void> {
    for (const node of this.#nodesOrAll(nodeIds)) await node.setFaults(faults);
  }

  migrate(options: RelaxOptions = {}): Promise<ScenarioResult> {
    return this.#maintenance.relax('migrate', this.#nodesOrAll(options.nodes), options.waitMs ?? this.timings.migrateWaitMs, this.shards);
  }

  failover(options: RelaxOptions = {}): Promise<ScenarioResult> {
    return this.#maintenance.relax('failover', this.#nodesOrAll(options.nodes), options.waitMs ?? this.timings.failoverWaitMs, this.shards);
  }

  moving(options: MovingOptions = {}): Promise<ScenarioResult> {
    const sources = this.#nodesOrAll(options.from);
    const fixed = options.to === undefined ? undefined : this.#node(options.to);
    const moves = sources.map((source) => ({
      source,
      target: fixed ?? this.#nodes[(this.#nodes.indexOf(source) + 1) % this.#nodes.length]!,
    }));
    return this.#maintenance.moving(moves, options.timeS ?? this.timings.movingTimeS, options.endpointType);
  }

  smigrate(options: SmigrateOptions = {}): Promise<ScenarioResult> {
    const source = options.from === undefined ? this.#nodes[0] : this.#node(options.from);
    if (source === undefined) throw badInput('smigrate needs at least one node');
    const target = options.to === undefined ? this.#nodes[(this.#nodes.indexOf(source) + 1) % this.#nodes.length]! : this.#node(options.to);
    let slots: number[];
    try {
      slots = options.slots === undefined ? this.#slotOwner.flatMap((n, s) => (n === source ? [s] : [])) : parseSlots(options.slots);
    } catch (err) {
      throw badInput((err as Error).message);
    }
    if (slots.length === 0) throw badInput(`node ${source.id} owns no slots to migrate`);
    return this.#maintenance.smigrate(source, target, slots, options.waitMs ?? this.timings.smigrateWaitMs, () => {
      for (const s of slots) this.#slotOwner[s] = target;
    });
  }

  /** Runs a fault-injector action (`{type, parameters}`) and resolves with its final record. */
  runAction(type: string, parameters: Record<string, unknown> = {}): Promise<ActionRecord> {
    return this.actions.run(type, parameters);
  }

  /** A timer that rejects with ERR_SIM_CLOSED if the simulator closes first (no hung scenario). */
  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.reject(new SimulatorError('ERR_SIM_CLOSED', 'the simulator is closed'));
    return new Promise((resolve, reject) => {
      const entry = {
        reject,
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
      };
      this.#timers.add(entry);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.reject(new SimulatorError('ERR_SIM_CLOSED', 'the simulator closed during a scenario'));
    }
    this.#timers.clear();
    await this.#control?.close();
    await Promise.all(this.#nodes.splice(0).map((n) => n.stop()));
  }

  handshakeStats(nodeId: string): { invoked: number; matched: number } | undefined {
    const node = this.#nodes.find((n) => n.id === nodeId);
    return node === undefined ? undefined : { ...node.handshakes };
  }

  #node(id: string): SimNode {
    const node = this.#nodes.find((n) => n.id === id);
    if (node === undefined) throw new SimulatorError('ERR_SIM_NOT_FOUND', `no node "${id}" (nodes: ${this.#nodes.map((n) => n.id).join(', ') || 'none'})`);
    return node;
  }

  #nodesOrAll(ids: string[] | undefined): SimNode[] {
    return ids === undefined ? [...this.#nodes] : ids.map((id) => this.#node(id));
  }

  #connection(id: string): ProxyConnection | undefined {
    for (const node of this.#nodes) {
      const connection = node.connections.get(id);
      if (connection !== undefined) return connection;
    }
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new SimulatorError('ERR_SIM_CLOSED', 'the simulator is closed');
  }

  /** 127.0.0.2, 127.0.0.3, …: the first loopback address no node listens on or announces. */
  #freeLoopback(options: NodeOptions): string {
    const used = new Set<string>(['127.0.0.1', ...(options.listen ?? []).map((l) => l.host)]);
    for (const n of this.#nodes) {
      used.add(n.ipHost);
      used.add(n.host);
    }
    for (let i = 2; i < 255; i++) if (!used.has(`127.0.0.${i}`)) return `127.0.0.${i}`;
    throw badInput('no free loopback address left for a node');
  }

  /** Even split in creation order, the last node taking the rest (as cae-resp-proxy does). */
  #splitSlots(): void {
    const n = this.#nodes.length;
    if (n === 0) {
      this.#slotOwner = [];
      return;
    }
    const per = Math.floor(SLOTS / n);
    this.#slotOwner = Array.from({ length: SLOTS }, (_, s) => this.#nodes[Math.min(n - 1, Math.floor(s / per))]!);
  }

  #clusterSlotsReply(): Buffer {
    const parts: string[] = [];
    let count = 0;
    for (let s = 0; s < this.#slotOwner.length; ) {
      const owner = this.#slotOwner[s]!;
      let e = s;
      while (e + 1 < this.#slotOwner.length && this.#slotOwner[e + 1] === owner) e++;
      const id = `proxy-id-${owner.port}`;
      parts.push(`*3\r\n:${s}\r\n:${e}\r\n*3\r\n$${Buffer.byteLength(owner.host)}\r\n${owner.host}\r\n:${owner.port}\r\n$${id.length}\r\n${id}\r\n`);
      count++;
      s = e + 1;
    }
    return Buffer.from(`*${count}\r\n${parts.join('')}`);
  }
}
