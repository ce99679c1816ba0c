/**
 * The soak's events: every rehearsal step of the demo (all notification types, MOVING to an
 * unreachable and to a slow target) plus a connection drop, drawn in a seeded random order. Each
 * round is a shuffled bag of every kind, so every kind happens once per round whatever the seed.
 */
import type { Simulator } from '../simulator/index.js';
import { STEPS, type StepName } from '../demo/options.js';
import { nodesNow, runStep, type RehearsalContext, type StepTimings } from '../demo/rehearsal.js';

export const EVENT_KINDS = [...STEPS, 'drop'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One event is started every this many ms (or as soon as the previous one ended, if later). */
export const EVENT_EVERY_MS = 2000;

/** Short windows, so events keep coming every 2 s; MOVING's time_s is the simulator's minimum useful one. */
export const SOAK_TIMINGS: StepTimings = {
  steadyMs: 0,
  slotMs: EVENT_EVERY_MS,
  relaxWaitMs: 1000,
  movingTimeS: 2,
  slowConnectMs: 300,
  refuseMs: 500,
};

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same events. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The endless event order for `random`: rounds of every kind, each round shuffled (Fisher-Yates). */
export function eventOrder(random: () => number): () => EventKind {
  let bag: EventKind[] = [];
  return () => {
    if (bag.length === 0) {
      bag = [...EVENT_KINDS];
      for (let i = bag.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [bag[i], bag[j]] = [bag[j]!, bag[i]!];
      }
    }
    return bag.pop()!;
  };
}

/** Runs one event; returns what was done, in words. */
export async function runEvent(kind: EventKind, context: RehearsalContext): Promise<string> {
  if (kind === 'drop') return dropAll(context.sim);
  if (kind === 'smigrate') return smigrateAll(context);
  return runStep(kind satisfies StepName, context);
}

/**
 * SMIGRATING/SMIGRATED to the node holding the client's connections, naming every slot: the
 * demo's step moves the slots that node owns, and after a few rounds of MOVING back and forth the
 * node with the connections may own none.
 */
async function smigrateAll({ sim, timings, label }: RehearsalContext): Promise<string> {
  const { here, there } = nodesNow(sim);
  const result = await sim.smigrate({ from: here.id, to: there.id, slots: '0-16383', waitMs: timings.relaxWaitMs });
  const sent = Object.entries(result.delivered).map(([type, n]) => `${type} to ${n}`).join(', ') || 'nothing delivered';
  return `slots 0-16383 ${label(here.id)} -> ${label(there.id)}: ${sent}`;
}

/** Closes every client connection both nodes hold (commands in flight fail as ERR_CONNECTION_LOST). */
function dropAll(sim: Simulator): string {
  const dropped = sim.dropConnections();
  return `dropped ${dropped} connection${dropped === 1 ? '' : 's'}`;
}
