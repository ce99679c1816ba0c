import {
  failedOverFrame, failingOverFrame, formatSlots, migratedFrame, migratingFrame, movingFrame, smigratedFrame,
  smigratingFrame, type NotificationKind,
} from './notifications.js';
import type { ProxyConnection } from './proxy-connection.js';
import type { SimNode } from './sim-node.js';
import type { EndpointType, ScenarioResult } from './types.js';

/**
 * The maintenance events: sequence numbers, who gets which notification, and the windows during
 * which a connection that opts in late still gets the notification in progress.
 *
 * Rules kept here: one seq per event, increasing, shared by every connection; a completion takes
 * the next seq; only opted-in connections on nodes with notifications on receive anything; each
 * connection gets each event at most once.
 */

/** An event in progress; connections that opt in while it is open get it right after their +OK. */
interface Window {
  kind: NotificationKind;
  nodes: Set<SimNode>;
  /** The frame for one connection, or null when that connection must not get it. */
  frameFor(node: SimNode, connection: ProxyConnection): Buffer | null;
  delivered: Set<string>;
}

interface Completion {
  kind: NotificationKind;
  frame: Buffer;
  nodes: Set<SimNode>;
}

export type Sleep = (ms: number) => Promise<void>;

export class Maintenance {
  #seq = 0;
  #windows = new Set<Window>();
  #lastCompletion: Completion | undefined;
  /** Replay the last MIGRATED/FAILED_OVER to connections that opt in, as the real server does. */
  replayLastCompletion = false;
  readonly #sleep: Sleep;

  constructor(sleep: Sleep) {
    this.#sleep = sleep;
  }

  /** The last sequence number used (0 before any event). */
  get seq(): number {
    return this.#seq;
  }

  /** Called when a connection has just been answered +OK to its opt-in. */
  optedIn(node: SimNode, connection: ProxyConnection): void {
    const last = this.#lastCompletion;
    if (this.replayLastCompletion && last !== undefined && last.nodes.has(node) && node.faults.notifications) {
      connection.inject(last.frame, last.kind);
    }
    for (const window of this.#windows) {
      if (window.nodes.has(node)) this.#deliver(window, node, connection);
    }
  }

  /** MIGRATING (or FAILING_OVER) on every node, wait, then MIGRATED (or FAILED_OVER). */
  async relax(kind: 'migrate' | 'failover', nodes: SimNode[], waitMs: number, shards: string): Promise<ScenarioResult> {
    const seq = ++this.#seq;
    const endsAt = Date.now() + waitMs;
    const start = kind === 'migrate' ? 'MIGRATING' : 'FAILING_OVER';
    const window: Window = {
      kind: start,
      nodes: new Set(nodes),
      delivered: new Set(),
      frameFor: () => {
        const timeS = remainingSeconds(endsAt);
        return kind === 'migrate' ? migratingFrame(seq, timeS, shards) : failingOverFrame(seq, timeS, shards);
      },
    };
    const delivered: Record<string, number> = {};
    delivered[start] = this.#open(window);
    try {
      await this.#sleep(waitMs);
    } finally {
      this.#windows.delete(window);
    }
    delivered[start] = window.delivered.size;
    const completionSeq = ++this.#seq;
    const end = kind === 'migrate' ? 'MIGRATED' : 'FAILED_OVER';
    const frame = kind === 'migrate' ? migratedFrame(completionSeq, shards) : failedOverFrame(completionSeq, shards);
    this.#lastCompletion = { kind: end, frame, nodes: new Set(nodes) };
    delivered[end] = this.#broadcastOnce(end, frame, nodes);
    return { kind, seq, completionSeq, delivered, closed: 0 };
  }

  /**
   * MOVING from each source node towards its target; after time_s the source closes the
   * connections that were there when the move began (and any that got MOVING late). When a node
   * moves onto itself (a one-node setup), connections made after the MOVING are the moved ones:
   * they get no MOVING and stay open.
   */
  async moving(moves: Array<{ source: SimNode; target: SimNode }>, timeS: number, override?: EndpointType): Promise<ScenarioResult> {
    const seq = ++this.#seq;
    const endsAt = Date.now() + timeS * 1000;
    const windows: Array<{ window: Window; old: Set<ProxyConnection>; source: SimNode }> = [];
    const targets = new Set(moves.map((m) => m.target));
    for (const { source, target } of moves) {
      const old = new Set(source.connections.values());
      const window: Window = {
        kind: 'MOVING',
        nodes: new Set([source]),
        delivered: new Set(),
        frameFor: (_node, connection) => {
          if (!old.has(connection)) {
            // Joined during the window. On a node that is a target it is a moved connection; with `none` the
            // client did as told (reconnect to its configured endpoint, which DNS would have
            // pointed at the target by then): neither gets MOVING again or is closed.
            // A node that is itself a target only receives moved connections.
            if (targets.has(source) || (override ?? connection.endpointType) === 'none') return null;
            old.add(connection);
          }
          return movingFrame(seq, remainingSeconds(endsAt), target.announce(override ?? connection.endpointType));
        },
      };
      windows.push({ window, old, source });
    }
    for (const { window } of windows) this.#open(window);
    let closed = 0;
    try {
      await this.#sleep(timeS * 1000);
    } finally {
      for (const { window, old, source } of windows) {
        this.#windows.delete(window);
        for (const connection of old) {
          if (!connection.closed && source.connections.has(connection.id)) {
            connection.close();
            closed++;
          }
        }
      }
    }
    const delivered = { MOVING: windows.reduce((n, w) => n + w.window.delivered.size, 0) };
    return { kind: 'moving', seq, completionSeq: null, delivered, closed };
  }

  /** SMIGRATING to the source's connections, wait, apply the move, then SMIGRATED (triplets). */
  async smigrate(source: SimNode, target: SimNode, slots: number[], waitMs: number, apply: () => void): Promise<ScenarioResult> {
    const seq = ++this.#seq;
    const text = formatSlots(slots);
    const window: Window = {
      kind: 'SMIGRATING',
      nodes: new Set([source]),
      delivered: new Set(),
      frameFor: () => smigratingFrame(seq, text),
    };
    this.#open(window);
    try {
      await this.#sleep(waitMs);
    } finally {
      this.#windows.delete(window);
    }
    apply();
    const completionSeq = ++this.#seq;
    const frame = smigratedFrame(completionSeq, [
      { source: `${source.host}:${source.port}`, destination: `${target.host}:${target.port}`, slots: text },
    ]);
    const delivered = { SMIGRATING: window.delivered.size, SMIGRATED: this.#broadcastOnce('SMIGRATED', frame, [source]) };
    return { kind: 'smigrate', seq, completionSeq, delivered, closed: 0 };
  }

  #open(window: Window): number {
    this.#windows.add(window);
    for (const node of window.nodes) {
      for (const connection of node.connections.values()) this.#deliver(window, node, connection);
    }
    return window.delivered.size;
  }

  #deliver(window: Window, node: SimNode, connection: ProxyConnection): void {
    if (!connection.optedIn || !node.faults.notifications || window.delivered.has(connection.id)) return;
    const frame = window.frameFor(node, connection);
    if (frame === null) return;
    window.delivered.add(connection.id);
    connection.inject(frame, window.kind);
  }

  #broadcastOnce(kind: NotificationKind, frame: Buffer, nodes: SimNode[]): number {
    let count = 0;
    for (const node of nodes) {
      if (!node.faults.notifications) continue;
      for (const connection of node.connections.values()) {
        if (!connection.optedIn) continue;
        connection.inject(frame, kind);
        count++;
      }
    }
    return count;
  }
}

/** Seconds left in a window, rounded up, never negative. */
function remainingSeconds(endsAt: number): number {
  return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
}
