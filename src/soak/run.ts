/**
 * One soak: the demo's Redis, simulator and checked load (100 writers, blocking consumers, a
 * numbered pub/sub stream) for `durationS`, with a seeded random event every 2 s, then the checks:
 * errors outside the documented cases, lost writes and messages, memory, and the sockets and
 * timers left open once everything is closed. Everything it starts is stopped however it ends.
 */
import { createClient } from '../client/index.js';
import { startLoad, lostWrites } from '../demo/load.js';
import type { RehearsalContext } from '../demo/rehearsal.js';
import { Cleanup, deleteKeys, upstream } from '../demo/run.js';
import { stamp } from '../demo/view.js';
import { Simulator, type NodeInfo } from '../simulator/index.js';
import { EVENT_EVERY_MS, SOAK_TIMINGS, eventOrder, prng, runEvent } from './events.js';
import { observer } from './observer.js';
import type { SoakOptions } from './options.js';
import { countResources, leaked, memory, settledResources } from './resources.js';
import { documentedBy, errorLine, killerAt, violations, type EventRecord, type SoakSummary } from './summary.js';

export const WRITERS = 100;
export const CONSUMERS = 4;
/** Reads and writes per second over all writers. */
const RATE = 1000;
const PROGRESS_EVERY_MS = 10_000;

export interface SoakOutput {
  /** A progress line (stderr with --json). */
  progress(line: string): void;
}

export async function runSoak(options: SoakOptions, output: SoakOutput, signal: AbortSignal): Promise<SoakSummary> {
  const resourcesAtStart = countResources();
  const begun = performance.now();
  const now = (): number => performance.now() - begun;
  const log = (line: string): void => output.progress(`${stamp(now() / 1000)} ${line}`);
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const cleanup = new Cleanup();
  let summary: Omit<SoakSummary, 'ok' | 'violations' | 'resources'>;
  try {
    log(`seed ${options.seed} (repeat this run with --seed ${options.seed})`);
    const redis = await upstream(options, cleanup, log);
    const sim = await Simulator.start({ nodes: [{ ...redis.node }, { ...redis.node }], timings: { movingTimeS: SOAK_TIMINGS.movingTimeS }, log: () => undefined });
    cleanup.add(() => sim.close());
    const [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
    const labels = new Map([[a.id, 'A'], [b.id, 'B']]);

    const { hook, observed } = observer();
    const client = createClient({ host: '127.0.0.1', port: a.port, ...redis.client, maintNotifications: { mode: 'enabled' }, hooks: [hook] });
    const clientErrors: Array<{ at: number; message: string; code?: string }> = [];
    client.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      clientErrors.push({ at: now(), message: `client error event: ${error.name}: ${error.message}`, ...(typeof code === 'string' ? { code } : {}) });
    });
    await client.connect();
    cleanup.add(() => client.close());

    const prefix = `hitless-demo:soak-${Date.now().toString(36)}:`;
    if (redis.describe.source === 'url') cleanup.add(() => deleteKeys(redis.direct, prefix));
    const load = await startLoad(client, { rate: RATE, callers: WRITERS, consumers: CONSUMERS, prefix, now });
    // On an error, before the client closes: writers left running would spin on a closed client.
    cleanup.add(() => load.stop(0));
    const memoryAtStart = memory();
    log(`load: ${WRITERS} writers (${RATE} reads/writes per second), ${CONSUMERS} blocking consumers, a numbered pub/sub stream; an event every ${EVENT_EVERY_MS / 1000} s for ${options.durationS} s`);

    const events: EventRecord[] = [];
    const eventFailures: string[] = [];
    const counted: Record<string, number> = {};
    const progress = setInterval(() => {
      const documented = load.errors.filter((e) => documentedBy(e, events) !== undefined).length;
      const unexpectedEvents = clientErrors.filter((e) => killerAt(e.at, events) === undefined).length;
      log(`${load.commands} commands, ${load.errors.length - documented + unexpectedEvents} errors (${documented} documented), ${events.length} events, handoffs ${observed.handoffs.succeeded ?? 0}, RSS ${memory().rssMB} MB`);
    }, PROGRESS_EVERY_MS);
    cleanup.add(async () => clearInterval(progress));

    const context: RehearsalContext = {
      sim, timings: SOAK_TIMINGS, now, stopped, isStopped: () => signal.aborted,
      label: (id) => labels.get(id) ?? id,
      handoffRetries: () => observed.handoffs.retried ?? 0,
      onStep: () => undefined,
    };
    const next = eventOrder(prng(options.seed));
    const end = options.durationS * 1000;
    while (now() < end && !signal.aborted) {
      const start = now();
      const kind = next();
      const failedBefore = observed.handoffs.failed ?? 0;
      // The simulator refusing an event is the soak's own failure: reported, and the run goes on.
      const detail = await runEvent(kind, context).catch((error: unknown) => {
        eventFailures.push(`${stamp(now() / 1000)} ${kind}: ${(error as Error).message}`);
        return `failed: ${(error as Error).message}`;
      });
      const failedHandoffs = (observed.handoffs.failed ?? 0) - failedBefore;
      events.push({ kind, start, end: now(), detail, failedHandoffs });
      log(`${kind}: ${detail}${failedHandoffs > 0 ? `; ${failedHandoffs} handoffs failed` : ''}`);
      counted[kind] = (counted[kind] ?? 0) + 1;
      let timer: NodeJS.Timeout | undefined;
      const wait = Math.min(start + EVENT_EVERY_MS, end) - now();
      if (wait > 0) await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, wait))), stopped]).finally(() => clearTimeout(timer));
    }
    clearInterval(progress);

    const totals = await load.stop(3000);
    const lost = await lostWrites(redis.direct, totals.acknowledged, totals.uncertain);
    const documentedByCause = { drop: 0, 'failed-handoff': 0 };
    const undocumentedCommands = totals.errors.filter((e) => {
      const cause = documentedBy(e, events);
      if (cause !== undefined) documentedByCause[cause]++;
      return cause === undefined;
    });
    const unexpectedEvents = clientErrors.filter((e) => killerAt(e.at, events) === undefined);
    const undocumented = [...undocumentedCommands, ...unexpectedEvents].sort((x, y) => x.at - y.at);
    const durationS = now() / 1000;
    summary = {
      seed: options.seed,
      durationS,
      writers: WRITERS,
      consumers: CONSUMERS,
      commands: totals.commands,
      opsPerSecond: load.samples.length / durationS,
      errors: undocumented.length,
      errorExamples: undocumented.slice(0, 10).map(errorLine),
      documentedErrors: totals.errors.length - undocumentedCommands.length,
      documentedByCause,
      expectedErrorEvents: clientErrors.length - unexpectedEvents.length,
      lostWrites: lost.length,
      lostWriteExamples: lost.slice(0, 5).map((key) => `${key}: acknowledged ${totals.acknowledged.get(key)}`),
      uncertainWrites: totals.uncertain.size,
      // A lost BRPOP may have taken one item with it: those are documented, the rest are lost.
      lostMessages: totals.pubsub.lost + Math.max(0, totals.blocking.lost - totals.uncertainPops),
      duplicatedMessages: totals.pubsub.duplicated + totals.blocking.duplicated,
      unheardMessages: totals.unheardMessages,
      uncertainPops: totals.uncertainPops,
      pubsub: totals.pubsub,
      blocking: totals.blocking,
      events: counted,
      eventFailures,
      notifications: { ...observed.notifications },
      handoffs: { ...observed.handoffs },
      memory: { start: memoryAtStart, end: memory() },
      interrupted: signal.aborted,
    };
  } finally {
    await cleanup.run();
  }
  const resourcesAtEnd = await settledResources(resourcesAtStart, 2000);
  const resources = { start: resourcesAtStart, end: resourcesAtEnd, leaked: leaked(resourcesAtStart, resourcesAtEnd) };
  const found = violations({ ...summary, resources });
  return { ok: found.length === 0, violations: found, ...summary, resources };
}
