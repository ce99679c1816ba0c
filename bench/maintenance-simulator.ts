/**
 * The maintenance simulator in a child process, driven over IPC, for bench/maintenance.ts. A real
 * Redis endpoint is another process; in this one the proxy (which parses every byte in both
 * directions) would share the measured clients' event loop and heap, and its work and its garbage
 * would show up as the clients' latency.
 *
 * The parent keeps a snapshot of the nodes and connections that the child sends every 10 ms, so
 * `nodes()` and `connections()` stay synchronous (at most one snapshot old); everything else is a
 * request that resolves with the child's answer.
 *
 * Run as `bench/maintenance-simulator.ts --child` by `RemoteSimulator.start` (with the parent's
 * loader, i.e. tsx).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Simulator, type ConnectionInfo, type MovingOptions, type NodeFaults, type NodeInfo, type RelaxOptions, type ScenarioResult, type SimulatorOptions,
} from '../src/simulator/index.js';

interface Snapshot {
  kind: 'snapshot';
  nodes: NodeInfo[];
  connections: ConnectionInfo[];
}

interface Reply {
  kind: 'reply';
  id: number;
  result?: unknown;
  error?: string;
}

type Operation =
  | { op: 'setFaults'; args: [Partial<NodeFaults>, string[] | undefined] }
  | { op: 'moving'; args: [MovingOptions] }
  | { op: 'migrate'; args: [RelaxOptions] }
  | { op: 'failover'; args: [RelaxOptions] }
  | { op: 'close'; args: [] };

const SNAPSHOT_MS = 10;

export class RemoteSimulator {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #snapshot: Snapshot = { kind: 'snapshot', nodes: [], connections: [] };
  #nextId = 1;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: Snapshot | Reply) => {
      if (message.kind === 'snapshot') {
        this.#snapshot = message;
        return;
      }
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`simulator: ${message.error}`));
      else waiter?.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`the simulator process exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  /** Starts the child, which starts a Simulator with `options`; resolves once its first snapshot is in. */
  static async start(options: SimulatorOptions): Promise<RemoteSimulator> {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const remote = new RemoteSimulator(child);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: Snapshot | Reply): void => {
        if (message.kind !== 'snapshot') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null): void => reject(new Error(`the simulator process exited with ${code} before it started`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ op: 'start', options });
    });
    return remote;
  }

  nodes(): NodeInfo[] {
    return this.#snapshot.nodes;
  }

  /** The connections as of the latest snapshot (at most ~10 ms old). */
  connections(): ConnectionInfo[] {
    return this.#snapshot.connections;
  }

  setFaults(faults: Partial<NodeFaults>, nodeIds?: string[]): Promise<void> {
    return this.#request({ op: 'setFaults', args: [faults, nodeIds] }) as Promise<void>;
  }

  moving(options: MovingOptions): Promise<ScenarioResult> {
    return this.#request({ op: 'moving', args: [options] }) as Promise<ScenarioResult>;
  }

  migrate(options: RelaxOptions): Promise<ScenarioResult> {
    return this.#request({ op: 'migrate', args: [options] }) as Promise<ScenarioResult>;
  }

  failover(options: RelaxOptions): Promise<ScenarioResult> {
    return this.#request({ op: 'failover', args: [options] }) as Promise<ScenarioResult>;
  }

  /** Closes the simulator and ends the child (killing it if it does not end within 5 s). */
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#request({ op: 'close', args: [] }).catch(() => undefined);
    await exited;
    clearTimeout(kill);
  }

  #request(operation: Operation): Promise<unknown> {
    if (this.#exited) return Promise.reject(new Error('the simulator process has exited'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, ...operation });
    });
  }
}

/** The child: one Simulator, its snapshots, and the operations the parent asks for. */
async function child(): Promise<void> {
  let sim: Simulator | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = (message: Snapshot | Reply): void => {
    if (process.connected) process.send!(message);
  };
  const snapshot = (): void => {
    if (sim !== undefined) send({ kind: 'snapshot', nodes: sim.nodes(), connections: sim.connections() });
  };
  // The parent going away (Ctrl-C, a crash) ends the child too: nothing is left listening.
  process.on('disconnect', () => {
    clearInterval(timer);
    void (sim?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  });
  process.on('message', (message: { op: 'start'; options: SimulatorOptions } | ({ id: number } & Operation)) => {
    void (async () => {
      if (message.op === 'start') {
        sim = await Simulator.start(message.options);
        snapshot();
        timer = setInterval(snapshot, SNAPSHOT_MS);
        return;
      }
      const { id } = message;
      try {
        if (sim === undefined) throw new Error('not started');
        let result: unknown;
        if (message.op === 'setFaults') result = await sim.setFaults(...message.args);
        else if (message.op === 'moving') result = await sim.moving(...message.args);
        else if (message.op === 'migrate') result = await sim.migrate(...message.args);
        else if (message.op === 'failover') result = await sim.failover(...message.args);
        else {
          clearInterval(timer);
          await sim.close();
        }
        snapshot();
        send({ kind: 'reply', id, result });
        if (message.op === 'close') process.disconnect();
      } catch (error) {
        send({ kind: 'reply', id, error: (error as Error).message });
      }
    })();
  });
}

if (process.argv.includes('--child')) void child();
