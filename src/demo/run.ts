/**
 * One demo run: a Redis (started here, or the user's), the simulator's two nodes in front of it, a
 * hitless client with the instrumentation hooks and a steady load, the rehearsal, and the summary.
 * Everything it starts is stopped in reverse order however the run ends (done, failed, or stopped
 * by a signal through `signal`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client, type ClientOptions } from '../client/index.js';
import { Simulator, type NodeInfo, type NodeOptions } from '../simulator/index.js';
import { startLoad, lostWrites, type DemoLoad } from './load.js';
import type { DemoOptions, StepName } from './options.js';
import { findRedisServer, RedisUnavailableError, startRedisServer } from './redis-server.js';
import { renderReport } from './report.js';
import { plannedMs, rehearse, stepTimings, type StepRecord } from './rehearsal.js';
import { formatSummary, splitLatency, inWindow, latencyStats, type DemoSummary } from './summary.js';
import { startTelemetry, type Telemetry } from './telemetry.js';
import { stamp, type ProgressView } from './view.js';

export interface DemoOutput {
  /** Progress: the live view on a terminal, plain lines elsewhere (stderr with --json). */
  view: ProgressView;
  /** The result: the summary text, or its JSON. */
  result(text: string): void;
}

/** Connections each simulated node holds, sampled through the run. */
export interface NodeSample {
  readonly at: number;
  readonly connections: Record<string, number>;
}

export interface DemoRun {
  summary: DemoSummary;
  steps: StepRecord[];
  nodeSamples: NodeSample[];
  timeline: Telemetry['timeline'];
  load: DemoLoad;
}

/** Exit codes: 0 passed, 1 errors or lost writes, 130 stopped by a signal before the end. */
export const EXIT_INTERRUPTED = 130;

/** Undo steps, run last-in first-out; one failing does not keep the others from running. */
export class Cleanup {
  readonly #steps: Array<() => Promise<unknown>> = [];

  add(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

export interface Upstream {
  node: Pick<NodeOptions, 'upstream' | 'upstreamTls'>;
  /** How clients authenticate and which database they use (from --redis-url). */
  client: Pick<ClientOptions, 'username' | 'password' | 'db'>;
  direct: Client;
  describe: DemoSummary['redis'];
}

/** The Redis behind the simulator: the one at `redisUrl`, or a redis-server started here (`event` reports which). */
export async function upstream(options: Pick<DemoOptions, 'redisUrl'>, cleanup: Cleanup, event: (line: string) => void): Promise<Upstream> {
  if (options.redisUrl !== undefined) {
    const url = new URL(options.redisUrl);
    const tls = url.protocol === 'rediss:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? 6379 : Number(url.port);
    const direct = createClient({ url: options.redisUrl, maintNotifications: { mode: 'disabled' }, reconnect: false });
    try {
      await direct.connect();
    } catch (error) {
      direct.destroy();
      throw new RedisUnavailableError(`cannot reach the Redis at ${host}:${port}: ${(error as Error).message}`, { cause: error });
    }
    cleanup.add(() => direct.close());
    const info = String(await direct.info('server'));
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    event(`redis: ${host}:${port} (given, version ${version}); the rehearsal's keys (hitless-demo:*) are deleted at the end`);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
    return {
      node: { upstream: { host, port }, ...(tls ? { upstreamTls: {} } : {}) },
      client: {
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
      },
      direct,
      describe: { source: 'url', address: `${host}:${port}`, version },
    };
  }
  const { bin, version } = findRedisServer();
  const redis = await startRedisServer(bin, version);
  cleanup.add(() => redis.stop());
  event(`redis: started redis-server ${version} (pid ${redis.pid}) on ${redis.host}:${redis.port}`);
  const direct = createClient({ host: redis.host, port: redis.port, maintNotifications: { mode: 'disabled' }, reconnect: false });
  await direct.connect();
  cleanup.add(() => direct.close());
  return { node: { upstream: { host: redis.host, port: redis.port } }, client: {}, direct, describe: { source: 'started', address: `${redis.host}:${redis.port}`, version } };
}

/** Deletes the keys this run wrote (on a Redis the user gave us). */
export async function deleteKeys(direct: Client, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const key of direct.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(key);
  for (let i = 0; i < keys.length; i += 500) await direct.del(...keys.slice(i, i + 500));
}

export async function runDemo(options: DemoOptions, output: DemoOutput, signal: AbortSignal): Promise<{ exitCode: number; run?: DemoRun }> {
  const begun = performance.now();
  const startedAt = new Date();
  const now = (): number => performance.now() - begun;
  const log = (line: string): void => output.view.event(`${stamp(now() / 1000)} ${line}`);
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const cleanup = new Cleanup();
  try {
    const redis = await upstream(options, cleanup, (line) => output.view.event(line));
    const timings = stepTimings(options.durationS, options.steps.length);
    const sim = await Simulator.start({
      nodes: [{ ...redis.node }, { ...redis.node }],
      timings: { movingTimeS: timings.movingTimeS },
      log: () => undefined,
    });
    cleanup.add(() => sim.close());
    const [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
    const labels = new Map([[a.id, 'A'], [b.id, 'B']]);
    const label = (id: string): string => labels.get(id) ?? id;
    output.view.event(`simulator: node A on 127.0.0.1:${a.port} (MOVING names ${a.ipHost} / ${a.fqdnHost}), node B on 127.0.0.1:${b.port} (${b.ipHost} / ${b.fqdnHost}); the client is configured with A`);

    const telemetry = await startTelemetry({ now, metricsPort: options.metricsPort, onWarning: log });
    cleanup.add(() => telemetry.close());
    output.view.event(`metrics: ${telemetry.server.url} (Prometheus; grafana/ scrapes 127.0.0.1:9464)`);

    const client = createClient({ host: '127.0.0.1', port: a.port, ...redis.client, maintNotifications: { mode: 'enabled' }, hooks: telemetry.hooks });
    const clientErrors: Array<{ at: number; message: string }> = [];
    client.on('error', (error) => void clientErrors.push({ at: now(), message: `client error event: ${error.name}: ${error.message}` }));
    await client.connect();
    cleanup.add(() => client.close());

    const prefix = `hitless-demo:${Date.now().toString(36)}:`;
    if (redis.describe.source === 'url') cleanup.add(() => deleteKeys(redis.direct, prefix));
    const load = await startLoad(client, { rate: options.rate, prefix, now });
    // A failed run stops its load too (before the client closes), or its writers spin against a
    // closed client; after a normal end this is a no-op (stop() runs once).
    cleanup.add(() => load.stop(0));
    output.view.event(`load: ${options.rate} reads/writes per second, a blocking consumer, numbered pub/sub messages; steps: ${options.steps.join(', ')}`);

    const steps: StepRecord[] = [];
    const nodeSamples: NodeSample[] = [];
    let current: StepName | 'steady' = 'steady';
    const sampler = setInterval(() => {
      nodeSamples.push({ at: now(), connections: Object.fromEntries(sim.nodes().map((n) => [label(n.id), n.activeConnections])) });
    }, 250);
    const planned = plannedMs(timings, options.steps.length) / 1000;
    const statusTimer = setInterval(() => {
      // The last second's commands (samples settle roughly in start order).
      const since = now() - 1000;
      const recent: number[] = [];
      const { samples } = load;
      for (let i = samples.length - 1; i >= 0 && samples.at(i) >= since - 100; i--) {
        if (samples.at(i) >= since) recent.push(samples.latency(i));
      }
      output.view.status({
        elapsedS: now() / 1000,
        plannedS: planned,
        opsPerSecond: recent.length,
        errors: load.errors.length + clientErrors.length,
        state: current,
        connections: Object.fromEntries(sim.nodes().map((n) => [label(n.id), n.activeConnections])),
        handoffs: telemetry.handoffs.succeeded ?? 0,
        p99: latencyStats(recent).p99,
      });
    }, 250);
    const stopTimers = (): void => {
      clearInterval(sampler);
      clearInterval(statusTimer);
    };
    cleanup.add(async () => stopTimers());

    const context = {
      sim, timings, now, stopped, label, isStopped: () => signal.aborted, handoffRetries: () => telemetry.handoffs.retried ?? 0,
      onStep: (phase: 'start' | 'end', name: StepName, detail: string) => {
        current = phase === 'start' ? name : 'steady';
        log(`${phase === 'start' ? '▶' : '✓'} ${name}: ${detail}`);
      },
    };
    let rounds = 0;
    do {
      rounds++;
      if (rounds > 1) log(`--keep-running: rehearsal round ${rounds} (Ctrl-C to stop)`);
      await rehearse(options.steps, context, steps);
    } while (options.keepRunning && !signal.aborted);
    const interrupted = signal.aborted && !options.keepRunning;

    const totals = await load.stop(3000);
    const lost = await lostWrites(redis.direct, totals.acknowledged, totals.uncertain);
    const scrape = await telemetry.scrape();
    const errors = [...totals.errors, ...clientErrors];
    const durationS = now() / 1000;
    const summary: DemoSummary = {
      ok: errors.length === 0 && lost.length === 0 && !interrupted,
      durationS,
      commands: totals.commands,
      opsPerSecond: load.samples.length / durationS,
      errors: errors.length,
      errorExamples: errors.slice(0, 5).map((e) => `${stamp(e.at / 1000)} ${e.message}${inWindow(e.at, steps) ? ' (during maintenance)' : ''}`),
      lostWrites: lost.length,
      lostWriteExamples: lost.slice(0, 5).map((key) => `${key}: acknowledged ${totals.acknowledged.get(key)}`),
      lostMessages: totals.blocking.lost + totals.pubsub.lost,
      duplicatedMessages: totals.blocking.duplicated + totals.pubsub.duplicated,
      blocking: totals.blocking,
      pubsub: totals.pubsub,
      notifications: { ...telemetry.notifications },
      handoffs: { ...telemetry.handoffs },
      latency: splitLatency(load.samples, steps),
      steps: steps.map((s) => ({ name: s.name, startS: s.start / 1000, endS: s.end / 1000, detail: s.detail })),
      metrics: { url: telemetry.server.url, answered: scrape.answered },
      spans: telemetry.spans(),
      logs: { ...telemetry.logs },
      redis: redis.describe,
    };
    let reportFailed = false;
    if (options.report !== undefined) {
      try {
        writeFileSync(options.report, renderReport({ summary, samples: load.samples, steps, timeline: telemetry.timeline, nodeSamples, startedAt }));
        output.view.event(`report: ${path.resolve(options.report)}`);
      } catch (error) {
        reportFailed = true;
        output.view.event(`cannot write the report to ${options.report}: ${(error as Error).message}`);
      }
    }
    if (interrupted) output.view.event('stopped by a signal before the rehearsal finished');
    stopTimers();
    output.view.close();
    output.result(options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return { exitCode: interrupted ? EXIT_INTERRUPTED : summary.ok && !reportFailed ? 0 : 1, run: { summary, steps, nodeSamples, timeline: telemetry.timeline, load } };
  } finally {
    await cleanup.run();
  }
}
