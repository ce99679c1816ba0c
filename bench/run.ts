/**
 * `npm run bench`: hitless, node-redis 6.3.1 and ioredis 6 (with and without auto-pipelining)
 * side by side against one fresh redis-server (issue 2), the hook chain's overhead (issue 10),
 * and memory; `--node <path>` re-runs all of it under another Node binary (issue 9).
 *
 * Nothing here asserts a timing: the output reports the numbers and how they compare with the
 * targets, and how noisy the rounds were.
 */
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hitless, ioredis, nodeRedis, useHitless, type BenchClient } from './clients.js';
import { loadHitless, type InstrumentationModule } from './compile.js';
import { collectGarbage } from './gc.js';
import { hookVariants, INSTRUMENTED, type HookSet } from './hook-variants.js';
import { startNodeRedisProcess } from './node-redis-remote.js';
import { hasTaskset, pin, startServer, type BenchServer } from './redis-server.js';
import { heapAfterCommands, pendingCommands, type PendingHeap, type SteadyHeap } from './memory.js';
import { bytes, opsPerSecond, percent, ratio, summarize, table, type Summary } from './stats.js';
import { RUNNERS, WORKLOADS, type WorkloadName } from './workloads.js';

const SECTIONS = ['concurrent', 'latency', 'pipeline', 'hooks', 'memory'] as const;
type Section = (typeof SECTIONS)[number];
const ALIASES: Record<string, Section> = { a: 'concurrent', b: 'latency', c: 'pipeline' };

const HELP = `Usage: npm run bench -- [options]

Runs against one fresh redis-server on a free loopback port (stopped at the end, also on Ctrl-C):
  concurrent  (a) 100 concurrent callers, SET then GET of 64 B values
  latency     (b) one caller, each command awaited
  pipeline    (c) explicit pipelines of 1000 GETs
  hooks       workload (a) on hitless with no hooks / an empty hook / 1 counting hook / MetricsHook
              as a MetricProducer and into prom-client / TracingHook, every command sampled and
              ParentBased(ratio 0.1), and node-redis with and without its own OTel metrics
              (bench/instrumentation-hooks.ts); --hook-set full adds 3 counting hooks, MetricsHook
              into the OTel SDK (all groups, command only), TracingHook into a BatchSpanProcessor
              and all three hooks together
  memory      heap after 1M commands (flat?) and heap held by 100k pending commands
Clients in (a)-(c): hitless, node-redis 6.3.1 (RESP3), ioredis 6, ioredis 6 + enableAutoPipelining.
Each round runs every client once, in a rotated order; the tables show the median and min-max.

Options:
  --rounds N        rounds per client workload (default 5)
  --hook-set SET    quick (default: 9 configurations, about a minute on an idle machine) or full (14)
  --hook-rounds N   rounds of the hook comparison (default 5; with --hook-set full, 11)
  --hook-ops N      commands per hook measurement (default 100000; with --hook-set full, 2 × --ops)
  --ops N           commands per measurement for (a) and (c) (default 300000); (b) uses N/5, since
                    each of its commands waits a full round trip
  --memory-ops N    commands for the heap-after-N reading (default 1000000)
  --only LIST       comma-separated sections: ${SECTIONS.join(', ')} (or a, b, c)
  --node PATH       run this whole benchmark under another Node binary (same options)
  --pin MODE        both: redis-server on the last CPU and Node on CPU 0 (taskset); redis: only
                    redis-server pinned; none (default)
  --source          measure src/ through tsx instead of the tsc-compiled build users get
  --json FILE       also write every measurement to FILE (bench/report.ts turns files into tables)
  --help            this text
`;

interface Options {
  rounds: number;
  hookSet: HookSet;
  hookRounds: number;
  hookOps: number;
  ops: number;
  memoryOps: number;
  sections: Set<Section>;
  json: string | undefined;
  pin: PinMode;
  source: boolean;
}

type PinMode = 'both' | 'redis' | 'none';

function pinMode(value: string | undefined): PinMode {
  if (value === undefined || value === 'none') return 'none';
  if (!hasTaskset() || os.cpus().length < 2) throw new Error('--pin needs taskset and at least 2 CPUs');
  if (value === 'both' || value === 'redis') return value;
  throw new Error(`--pin must be both, redis or none, got ${value}`);
}

export interface WorkloadResult {
  title: string;
  ops: number;
  clients: Record<string, Summary>;
}

export interface HookResult {
  ops: number;
  /** `relativeTo`: the variant this one's paired ratios divide by (itself for a baseline). */
  variants: Record<string, { opsPerSecond: Summary; pairedRatio: Summary; relativeTo?: string; counted?: { starts: number; ends: number } }>;
}

export interface BenchResult {
  meta: {
    date: string;
    node: string;
    v8: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    redis: string;
    pinning?: string;
    hitless?: string;
    loadAverage?: { start: number[]; end?: number[] };
    options: { rounds: number; hookSet?: HookSet; hookRounds: number; hookOps?: number; ops: number; memoryOps: number; only: string[] };
  };
  workloads: Partial<Record<WorkloadName, WorkloadResult>>;
  hooks?: HookResult;
  memory?: { steady: Record<string, SteadyHeap>; pending: Record<string, PendingHeap>; baseline: PendingHeap };
  durationSeconds: number;
}

function parseOptions(argv: string[]): (Options & { node: string | undefined }) | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      'hook-set': { type: 'string' },
      'hook-rounds': { type: 'string' },
      'hook-ops': { type: 'string' },
      ops: { type: 'string' },
      'memory-ops': { type: 'string' },
      only: { type: 'string' },
      node: { type: 'string' },
      json: { type: 'string' },
      pin: { type: 'string' },
      source: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const int = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
    return n;
  };
  const sections = new Set<Section>();
  for (const part of (values.only ?? SECTIONS.join(',')).split(',')) {
    const name = part.trim();
    const section = ALIASES[name] ?? SECTIONS.find((s) => s === name);
    if (section === undefined) throw new Error(`--only: unknown section "${name}" (${SECTIONS.join(', ')}, a, b, c)`);
    sections.add(section);
  }
  const hookSet = values['hook-set'] ?? 'quick';
  if (hookSet !== 'quick' && hookSet !== 'full') throw new Error(`--hook-set must be quick or full, got ${hookSet}`);
  const ops = int('ops', values.ops, 300_000);
  return {
    rounds: int('rounds', values.rounds, 5),
    hookSet,
    hookRounds: int('hook-rounds', values['hook-rounds'], hookSet === 'full' ? 11 : 5),
    hookOps: int('hook-ops', values['hook-ops'], hookSet === 'full' ? 2 * ops : 100_000),
    ops,
    memoryOps: int('memory-ops', values['memory-ops'], 1_000_000),
    sections,
    json: values.json,
    node: values.node,
    pin: pinMode(values.pin),
    source: values.source ?? false,
  };
}

/** Re-runs this script under `node` with the same arguments minus --node; resolves to its exit code. */
function runUnder(node: string, argv: string[]): Promise<number> {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--node') i++;
    else if (!argv[i]!.startsWith('--node=')) rest.push(argv[i]!);
  }
  const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
  const script = fileURLToPath(import.meta.url);
  console.log(`[bench] re-running under ${node}: ${node} ${tsx} ${script} ${rest.join(' ')}`);
  const child = spawn(node, [tsx, script, ...rest], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; it stops its own redis-server.
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`[bench] could not start ${node}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function log(line: string): void {
  console.log(`[bench] ${line}`);
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function range(summary: Summary): string {
  return `${opsPerSecond(summary.min)}–${opsPerSecond(summary.max)}`;
}

async function runWorkload(name: WorkloadName, clients: BenchClient[], options: Options): Promise<WorkloadResult> {
  const ops = name === 'latency' ? Math.round(options.ops / 5) : options.ops;
  const runner = RUNNERS[name];
  console.log(`\n${WORKLOADS[name]}: ${ops} commands per measurement, ${options.rounds} rounds`);
  for (const client of clients) await runner(client, ops, `bench:${client.name}`);
  log(`${name}: warmed up`);
  const samples = new Map<string, number[]>(clients.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const cells: string[] = [];
    for (const client of rotate(clients, round)) {
      const value = await runner(client, ops, `bench:${client.name}`);
      samples.get(client.name)!.push(value);
      cells.push(`${client.name} ${opsPerSecond(value)}`);
    }
    log(`${name} round ${round + 1}/${options.rounds}: ${cells.join(', ')} ops/s`);
  }
  const result: WorkloadResult = { title: WORKLOADS[name], ops, clients: {} };
  for (const [client, values] of samples) result.clients[client] = summarize(values);
  const hitlessMedian = result.clients.hitless!.median;
  console.log(
    '\n' +
      table(
        ['client', 'median ops/s', 'min–max', 'spread', 'hitless ÷ client'],
        Object.entries(result.clients).map(([client, s]) => [
          client,
          opsPerSecond(s.median),
          range(s),
          percent(s.spread, 0).replace('+', '±'),
          client === 'hitless' ? '' : ratio(hitlessMedian / s.median),
        ]),
      ),
  );
  return result;
}

async function runHooks(server: BenchServer, options: Options, instrumentation: InstrumentationModule): Promise<HookResult> {
  const ops = options.hookOps;
  const variants = hookVariants(instrumentation, options.hookSet);
  console.log(`\nHook overhead, workload (a): ${variants.length + 2} configurations (--hook-set ${options.hookSet}), ${ops} commands per measurement, ${options.hookRounds} rounds`);
  const clients = await Promise.all(variants.map((v) => hitless(v.name, server, v.hooks)));
  // node-redis with and without its own OTel metrics, each in a process of its own (OpenTelemetry.init is process-wide).
  const peers = [await startNodeRedisProcess(server, false), await startNodeRedisProcess(server, true)];
  log(`hooks: node-redis runs in two processes of its own, one with OpenTelemetry.init (groups command, connection-basic, connection-advanced, resiliency)`);
  const measured = [
    ...clients.map((client, i) => ({ name: variants[i]!.name, base: 0, run: () => RUNNERS.concurrent(client, ops, `bench:hooks:${i}`) })),
    ...peers.map((peer, j) => ({ name: peer.name, base: clients.length, run: () => peer.concurrent(ops, `bench:hooks:peer:${j}`) })),
  ];
  for (const m of measured) await m.run();
  log('hooks: warmed up');
  const samples = measured.map(() => [] as number[]);
  const paired = measured.map(() => [] as number[]);
  for (let round = 0; round < options.hookRounds; round++) {
    const values: number[] = [];
    for (const index of rotate([...measured.keys()], round)) {
      collectGarbage();
      values[index] = await measured[index]!.run();
    }
    values.forEach((v, i) => {
      samples[i]!.push(v);
      paired[i]!.push(v / values[measured[i]!.base]!);
    });
    log(`hooks round ${round + 1}/${options.hookRounds}: ${measured.map((m, i) => `${m.name} ${opsPerSecond(values[i]!)}`).join(', ')} ops/s`);
  }
  await Promise.all(clients.map((c) => c.close()));
  const commands = ops * options.hookRounds;
  for (const v of variants) await v.verify?.(commands);
  const recorded = await Promise.all(peers.map((p) => p.close()));
  if (recorded[1]! < commands) throw new Error(`node-redis's OTel metrics recorded ${recorded[1]} operations, fewer than the ${commands} measured`);
  log(`hooks: every instrumentation hook (and node-redis's OTel metrics: ${recorded[1]} operations) recorded every measured command`);
  const result: HookResult = { ops, variants: {} };
  measured.forEach((m, i) => {
    const counted = variants[i]?.counted();
    result.variants[m.name] = {
      opsPerSecond: summarize(samples[i]!), pairedRatio: summarize(paired[i]!), relativeTo: measured[m.base]!.name, ...(counted ? { counted } : {}),
    };
  });
  const isBase = (name: string, r: HookResult['variants'][string]): boolean => r.relativeTo === name;
  console.log(
    '\n' +
      table(
        ['hooks', 'median ops/s', 'min–max', 'spread', 'ratio of medians', 'median paired ratio', 'paired min–max', 'cost', 'relative to'],
        Object.entries(result.variants).map(([name, r]) => {
          const base = result.variants[r.relativeTo!]!.opsPerSecond.median;
          return [
            name,
            opsPerSecond(r.opsPerSecond.median),
            range(r.opsPerSecond),
            percent(r.opsPerSecond.spread, 0).replace('+', '±'),
            isBase(name, r) ? '' : ratio(r.opsPerSecond.median / base),
            isBase(name, r) ? '' : ratio(r.pairedRatio.median),
            isBase(name, r) ? '' : `${r.pairedRatio.min.toFixed(2)}–${r.pairedRatio.max.toFixed(2)}`,
            isBase(name, r) ? '' : percent(1 - r.pairedRatio.median),
            isBase(name, r) ? '' : r.relativeTo!,
          ];
        }),
      ),
  );
  for (const [name, r] of Object.entries(result.variants)) {
    if (r.counted) log(`hooks: "${name}" counted ${r.counted.starts} starts and ${r.counted.ends} ends`);
  }
  console.log(
    'Paired ratio: each variant ÷ its baseline ("no hooks" for hitless, plain node-redis for node-redis + OTel) in the same round\n' +
      '(rounds are interleaved, so drift cancels); cost = 1 − its median. Backends: see bench/instrumentation-hooks.ts.',
  );
  return result;
}

async function runMemory(clients: BenchClient[], options: Options): Promise<NonNullable<BenchResult['memory']>> {
  const pendingCount = 100_000;
  console.log(`\nMemory: ${pendingCount} pending GETs per client; heap after ${options.memoryOps} commands of workload (a)`);
  const baseline = await pendingCommands('baseline', pendingCount, 'bench:baseline');
  log(`memory: baseline (an array of ${pendingCount} plain pending promises) ${baseline.issuedPerCommand.toFixed(0)} B/command`);
  const pending: Record<string, PendingHeap> = {};
  for (const client of clients) {
    pending[client.name] = await pendingCommands(client, pendingCount, `bench:${client.name}`);
    const p = pending[client.name]!;
    log(`memory: ${client.name} ${pendingCount} pending: ${bytes(p.issuedPerCommand * pendingCount)} held after issuing, peak ${bytes(p.peak)}, ${bytes(p.after)} left after`);
  }
  const steady: Record<string, SteadyHeap> = {};
  for (const client of clients) {
    const started = performance.now();
    steady[client.name] = await heapAfterCommands(client, options.memoryOps, `bench:${client.name}`);
    const s = steady[client.name]!;
    log(`memory: ${client.name} heap ${s.readings.map(bytes).join(' → ')} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  console.log(
    '\n' +
      table(
        ['client', 'B/pending cmd', 'minus baseline', 'peak (100k)', 'left after', `heap before`, `after ${options.memoryOps / 1e6}M cmds`, 'delta'],
        clients.map(({ name }) => {
          const p = pending[name]!;
          const s = steady[name]!;
          return [
            name,
            p.issuedPerCommand.toFixed(0),
            (p.issuedPerCommand - baseline.issuedPerCommand).toFixed(0),
            bytes(p.peak),
            bytes(p.after),
            bytes(s.readings[0]!),
            bytes(s.readings[s.readings.length - 1]!),
            (s.delta >= 0 ? '+' : '') + bytes(s.delta),
          ];
        }),
      ),
  );
  console.log(
    `B/pending cmd: heap held right after issuing ${pendingCount} GETs without awaiting (full GC), including the caller's array of promises;\n` +
      `"minus baseline" subtracts an array of ${pendingCount} plain pending promises (${baseline.issuedPerCommand.toFixed(0)} B each). Heap readings follow a full GC.`,
  );
  return { steady, pending, baseline };
}

function targets(result: BenchResult): void {
  const lines: string[] = [];
  /** `best`: the most favourable value the rounds allow; a miss it would turn into a pass is within noise. */
  const check = (label: string, value: number | undefined, target: number, lowerIsBetter = false, best?: number): void => {
    if (value === undefined || Number.isNaN(value)) return;
    const meets = (v: number): boolean => (lowerIsBetter ? v <= target : v >= target);
    const verdict = meets(value) ? 'met' : best !== undefined && meets(best) ? 'unresolved (within round-to-round noise)' : 'MISSED';
    const shown = lowerIsBetter ? percent(value) : ratio(value);
    const goal = lowerIsBetter ? `≤ ${percent(target, 0).replace('+', '')}` : `≥ ${ratio(target)}`;
    lines.push(`  ${label.padEnd(54)} ${shown.padStart(8)}  target ${goal.padEnd(7)} ${verdict}`);
  };
  const vs = (w: WorkloadName, peer: string): number | undefined => {
    const clients = result.workloads[w]?.clients;
    return clients ? clients.hitless!.median / clients[peer]!.median : undefined;
  };
  check('(a) hitless ÷ node-redis', vs('concurrent', 'node-redis'), 1.5);
  check('(a) hitless ÷ ioredis+autopipelining', vs('concurrent', 'ioredis-auto'), 1.0);
  check('(b) hitless ÷ node-redis', vs('latency', 'node-redis'), 1.0);
  check('(b) hitless ÷ ioredis', vs('latency', 'ioredis'), 1.0);
  check('(b) hitless ÷ ioredis+autopipelining', vs('latency', 'ioredis-auto'), 1.0);
  const hooks = result.hooks?.variants;
  if (hooks) {
    // A variant the chosen --hook-set left out is not checked.
    const cost = (label: string, name: string, target: number): void => {
      const paired = hooks[name]?.pairedRatio;
      if (paired) check(label, 1 - paired.median, target, true, 1 - paired.max);
    };
    cost('hooks: empty hook cost', 'empty hook {}', 0.01);
    cost('hooks: 1 counting hook cost', '1 counting hook', 0.03);
    for (const name of [INSTRUMENTED.metricsProducer, INSTRUMENTED.metricsProm, INSTRUMENTED.metricsSdk]) cost(`hooks: ${name} cost`, name, 0.05);
    for (const name of [INSTRUMENTED.tracing, INSTRUMENTED.tracingBatch, INSTRUMENTED.tracingRatio]) cost(`hooks: ${name} cost`, name, 0.25);
    const peer = hooks['node-redis + its OTel metrics'];
    if (peer) lines.push(`  (beside it: node-redis + its OTel metrics cost ${percent(1 - peer.pairedRatio.median)} of plain node-redis's throughput)`);
    lines.push('  (hook cost in CPU instructions, which timing noise does not move: npx tsx bench/instructions/hooks.ts)');
  }
  if (lines.length === 0) return;
  console.log('\nTargets (reported, not asserted; medians of noisy rounds, see min–max above):');
  console.log(lines.join('\n'));
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
  if (parsed.node !== undefined) return runUnder(parsed.node, argv);
  const options: Options = parsed;
  const begun = performance.now();

  const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  const result: BenchResult = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      platform: `${os.platform()} ${os.arch()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      redis: redisVersion,
      options: {
        rounds: options.rounds, hookSet: options.hookSet, hookRounds: options.hookRounds, hookOps: options.hookOps, ops: options.ops, memoryOps: options.memoryOps,
        only: [...options.sections],
      },
    },
    workloads: {},
    durationSeconds: 0,
  };
  console.log(`hitless benchmark — node ${process.version} (v8 ${process.versions.v8}), ${result.meta.cpus} × ${result.meta.cpuModel}`);
  console.log(`${redisVersion}; ${result.meta.platform}; ${result.meta.date}`);

  result.meta.loadAverage = { start: os.loadavg() };
  log(`load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (other processes on this machine add noise)`);
  log('compiling hitless ...');
  const loaded = await loadHitless(options.source);
  useHitless(loaded.module);
  result.meta.hitless = loaded.from;
  log(`hitless from ${loaded.from}`);
  const lastCpu = os.cpus().length - 1;
  const server = await startServer(options.pin === 'none' ? {} : { cpu: lastCpu });
  if (options.pin === 'both' && !pin(process.pid, 0)) options.pin = 'redis';
  result.meta.pinning = { both: `redis-server on CPU ${lastCpu}, Node (all threads) on CPU 0`, redis: `redis-server on CPU ${lastCpu}, Node unpinned`, none: 'none' }[options.pin];
  log(`CPU pinning: ${result.meta.pinning}`);
  const clients: BenchClient[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await server.stop();
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    console.log(`\n[bench] ${signal}: stopping redis-server on port ${server.port}`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(`redis-server on ${server.host}:${server.port}`);

  try {
    clients.push(
      await hitless('hitless', server),
      await nodeRedis('node-redis', server),
      await ioredis('ioredis', server, false),
      await ioredis('ioredis-auto', server, true),
    );
    log(`connected: ${clients.map((c) => c.name).join(', ')} (ioredis-auto = ioredis with enableAutoPipelining)`);
    for (const name of ['concurrent', 'latency', 'pipeline'] as const) {
      if (options.sections.has(name)) result.workloads[name] = await runWorkload(name, clients, options);
    }
    if (options.sections.has('hooks')) result.hooks = await runHooks(server, options, loaded.instrumentation);
    if (options.sections.has('memory')) result.memory = await runMemory(clients, options);
  } finally {
    await stop();
    log('redis-server stopped');
  }
  result.meta.loadAverage.end = os.loadavg();
  log(`load average at the end ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  result.durationSeconds = Math.round((performance.now() - begun) / 1000);
  targets(result);
  console.log(`\nDone in ${result.durationSeconds} s.`);
  if (options.json) {
    writeFileSync(options.json, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${options.json}`);
  }
  return 0;
}

process.exitCode = await main();
