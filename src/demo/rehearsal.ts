/**
 * The scripted maintenance rehearsal: each step drives the simulator the way Redis Enterprise
 * would during a real window (a migration, a failover, slot migrations, node moves announced by
 * IP, by name and with no endpoint, a move to a node slow to accept, and one to a node that first
 * refuses connections). Each step runs in its own slot of the run, with steady traffic between.
 */
import type { NodeInfo, Simulator } from '../simulator/index.js';
import type { StepName } from './options.js';

export interface StepTimings {
  /** Steady traffic before the first step and after the last one (ms). */
  steadyMs: number;
  /** Time given to each step, its steady gap included (ms). */
  slotMs: number;
  /** MIGRATING -> MIGRATED and the like (ms). */
  relaxWaitMs: number;
  /** MOVING's time_s (s). */
  movingTimeS: number;
  /** Connect delay of the slow target (ms). */
  slowConnectMs: number;
  /** The unreachable target refuses connections until a handoff attempt failed, at most this long (ms). */
  refuseMs: number;
}

/** Spreads `steps` over `durationS`; every wait stays long enough for a client to act. */
export function stepTimings(durationS: number, steps: number): StepTimings {
  const total = durationS * 1000;
  const steadyMs = Math.max(1000, total * 0.08);
  const slotMs = Math.max(2500, (total - 2 * steadyMs) / Math.max(1, steps));
  const movingTimeS = Math.max(2, Math.round((slotMs * 0.6) / 1000));
  return {
    steadyMs,
    slotMs: Math.max(slotMs, movingTimeS * 1000 + 500),
    relaxWaitMs: Math.max(1000, Math.round(slotMs * 0.5)),
    movingTimeS,
    slowConnectMs: Math.min(500, movingTimeS * 150),
    refuseMs: Math.min(1000, movingTimeS * 250),
  };
}

/** How long a round of `steps` is expected to take (ms). */
export function plannedMs(timings: StepTimings, steps: number): number {
  return 2 * timings.steadyMs + steps * timings.slotMs;
}

export interface StepRecord {
  readonly name: StepName;
  /** ms since the run started */
  readonly start: number;
  readonly end: number;
  /** What the simulator did, in words. */
  readonly detail: string;
}

/** What each step says it does (progress lines, the report). */
export const STEP_DESCRIPTIONS: Record<StepName, string> = {
  migrate: 'shard migration: MIGRATING, then MIGRATED (timeouts relaxed meanwhile)',
  failover: 'failover: FAILING_OVER, then FAILED_OVER',
  smigrate: 'OSS-cluster slot migration: SMIGRATING, then SMIGRATED',
  'moving-ip': 'node move, endpoint announced by IP: MOVING, every connection handed off',
  'moving-fqdn': 'node move, endpoint announced by name (localhost): MOVING',
  'moving-none': 'node move with no endpoint (null): reconnect to the configured address after time_s/2',
  'moving-slow': 'node move to a node slow to accept connections (connect delay)',
  'moving-unreachable': 'node move to a node refusing connections until a handoff attempt failed: handoffs retry, then get through',
};

export interface RehearsalContext {
  readonly sim: Simulator;
  readonly timings: StepTimings;
  /** ms since the run started */
  readonly now: () => number;
  /** Resolves early when the run is stopped. */
  readonly stopped: Promise<void>;
  readonly isStopped: () => boolean;
  readonly onStep: (phase: 'start' | 'end', name: StepName, detail: string) => void;
  /** Handoff attempts that failed and were retried so far (the client's hook events). */
  readonly handoffRetries: () => number;
  /** A node's short name for the lines (A, B). */
  readonly label: (nodeId: string) => string;
}

/** The node holding most of the client's connections, and the other one. */
export function nodesNow(sim: Simulator): { here: NodeInfo; there: NodeInfo } {
  const [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
  return b.activeConnections > a.activeConnections ? { here: b, there: a } : { here: a, there: b };
}

const delivered = (result: { delivered: Record<string, number> }): string =>
  Object.entries(result.delivered).map(([kind, n]) => `${kind} to ${n} connection${n === 1 ? '' : 's'}`).join(', ') || 'nothing delivered';

/** Runs one step now (the soak runs them in random order); returns what the simulator did, in words. */
export async function runStep(name: StepName, context: RehearsalContext): Promise<string> {
  const { sim, timings, label } = context;
  const { here, there } = nodesNow(sim);
  const move = async (endpointType: 'internal-ip' | 'internal-fqdn' | 'none'): Promise<string> => {
    const result = await sim.moving({ from: [here.id], to: there.id, timeS: timings.movingTimeS, endpointType });
    return `${label(here.id)} -> ${endpointType === 'none' ? 'the configured address' : label(there.id)}; ${delivered(result)}; ${result.closed} left for the server to close`;
  };
  switch (name) {
    case 'migrate':
      return delivered(await sim.migrate({ nodes: [here.id], waitMs: timings.relaxWaitMs }));
    case 'failover':
      return delivered(await sim.failover({ nodes: [here.id], waitMs: timings.relaxWaitMs }));
    case 'smigrate':
      return delivered(await sim.smigrate({ from: here.id, to: there.id, waitMs: timings.relaxWaitMs }));
    case 'moving-ip':
      return move('internal-ip');
    case 'moving-fqdn':
      return move('internal-fqdn');
    case 'moving-none':
      return move('none');
    case 'moving-slow': {
      await sim.setFaults({ connectDelayMs: timings.slowConnectMs }, [there.id]);
      try {
        return `${timings.slowConnectMs} ms connect delay at ${label(there.id)}; ${await move('internal-ip')}`;
      } finally {
        await sim.setFaults({ connectDelayMs: 0 }, [there.id]);
      }
    }
    case 'moving-unreachable': {
      await sim.setFaults({ refuseConnections: true }, [there.id]);
      // Open again once the client saw a refusal (a retried handoff), so the retry gets through
      // however busy the machine is; at the latest after refuseMs.
      const retriesBefore = context.handoffRetries();
      const refusedAt = context.now();
      const reopen = (async () => {
        while (context.handoffRetries() === retriesBefore && context.now() - refusedAt < timings.refuseMs) await sim.sleep(10);
        await sim.setFaults({ refuseConnections: false }, [there.id]);
        return context.now() - refusedAt;
      })();
      reopen.catch(() => undefined);
      try {
        const moved = await move('internal-ip');
        return `${label(there.id)} refused connections for ${(await reopen).toFixed(0)} ms; ${moved}`;
      } finally {
        await reopen.catch(() => undefined);
        await sim.setFaults({ refuseConnections: false }, [there.id]).catch(() => undefined);
      }
    }
  }
}

/** Runs the steps in their slots; stops early (between steps) when the run is stopped. */
export async function rehearse(steps: readonly StepName[], context: RehearsalContext, records: StepRecord[]): Promise<void> {
  const { now, timings } = context;
  const wait = (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))), context.stopped]).finally(() => clearTimeout(timer));
  };
  await wait(timings.steadyMs);
  for (const name of steps) {
    if (context.isStopped()) return;
    const start = now();
    context.onStep('start', name, STEP_DESCRIPTIONS[name]);
    const step = runStep(name, context);
    step.catch(() => undefined);
    const finished = await Promise.race([step.then(() => true), context.stopped.then(() => false)]);
    if (!finished) return;
    const detail = await step;
    const end = now();
    records.push({ name, start, end, detail });
    context.onStep('end', name, detail);
    await wait(start + timings.slotMs - now());
  }
  await wait(timings.steadyMs);
}
