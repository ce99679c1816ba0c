/**
 * The shipped dashboards and alert rules against a real Prometheus: it scrapes a real client
 * (createPrometheusMetrics + serveMetrics) while that client goes through a migrate, a failover, a
 * MOVING and a MOVING to an endpoint nobody listens on, under load, with a blocking consumer and a
 * command that fails now and then. Then every panel query, annotation, variable query and alert
 * expression runs through Prometheus's HTTP API as Grafana would run it, and must return data: at
 * least one finite value, and above zero where the scenario made something happen.
 *
 * The alert rules run with their windows shortened (10m → 30s, 30m → 5s); their logic over real
 * time is what `promtool test rules` checks (alert-rules.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { alertRules, rulesFile } from '../../dashboards/src/alerts.js';
import { expressionsOf, type DashboardExpression } from '../../dashboards/src/grafana.js';
import { DASHBOARDS } from '../../dashboards/src/outputs.js';
import { createPrometheusMetrics, serveMetrics, type MetricsServer } from '../../instrumentation/index.js';
import { createClient, type Client } from '../../src/index.js';
import { movingFrame } from '../../src/simulator/index.js';
import { useSimulator } from '../helpers/fixtures.js';
import { startPrometheus, type PrometheusServer, type Series } from '../helpers/prometheus.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { maintenanceRecorder, startLoad } from './support/maintenance.js';

const bed = useSimulator({ timings: { migrateWaitMs: 300, failoverWaitMs: 300, movingTimeS: 2 } });
const WINDOWS = { recent: '30s', stuck: '5s' };
/** What Grafana puts for $__rate_interval with a 1 s scrape interval: four of them. */
const RATE_INTERVAL = '4s';

/** Expressions whose data must rise above zero in this scenario (a title fragment each). */
const MUST_SHOW_ACTIVITY = [
  'Commands per second', 'Errors by type', 'Connections open', 'Connections by state', 'Connections per node',
  'Notifications by type', 'Handoffs by outcome', 'Notifications in range', 'annotation', 'Circuit breakers by endpoint',
];

let dir: string;
let metrics: MetricsServer;
let prometheus: PrometheusServer;
let client: Client;
let startS: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-dashboards-'));
  writeFileSync(path.join(dir, 'alerts.yml'), rulesFile(alertRules(WINDOWS)));
  const registry = new Registry();
  metrics = await serveMetrics({ registry });
  prometheus = await startPrometheus({ targets: [`127.0.0.1:${metrics.port}`], ruleFiles: [path.join(dir, 'alerts.yml')] });
  startS = Math.floor(Date.now() / 1000) - 1;
  const recorder = maintenanceRecorder();
  client = await createClient({
    port: bed.a.port, minIdleConns: 1, hooks: [createPrometheusMetrics({ registry }), recorder],
    maintNotifications: {
      mode: 'enabled', allowedEndpoints: ['127.0.0.0/8'],
      // The window after a handoff outlasts the test, so the shortened "stuck" alert has something to find.
      postHandoffRelaxedDuration: 120_000,
      maxHandoffRetries: 2, handoffTimeout: 300, circuitBreakerFailureThreshold: 2, circuitBreakerResetTimeout: 120_000,
    },
  }).connect();
  await waitFor(() => client.connections().length === 2, 'two connections');
  // Prometheus has seen the client before anything happens, as it would in production.
  await waitFor(async () => (await prometheus.query('db_client_connections')).length > 0, 'a first scrape of the client', 15_000);

  const load = startLoad(client, 5, 'dashboards:');
  await bed.direct.set('dashboards:string', 'not a list');
  let failing = true;
  const failures = (async () => {
    // One failing command at a time beside the load: errors by type, and the error-ratio alert.
    while (failing) await client.sendCommand(['LPUSH', 'dashboards:string', 'x']).catch(() => undefined);
  })();
  let blocking = true;
  const consumer = (async () => {
    // A blocking consumer: leases, so the wait-time histogram fills.
    while (blocking) await client.blPop('dashboards:queue', 0.05).catch(() => undefined);
  })();

  await bed.sim.migrate();
  await bed.sim.failover();
  await bed.sim.moving({ from: [bed.a.id], to: bed.b.id });
  await waitFor(() => recorder.handoffs('succeeded').length >= 2, 'the handoffs to b');
  // A MOVING to an endpoint nobody listens on: the handoffs fail and the breaker opens.
  const nowhere = `127.0.0.1:${await freePort()}`;
  bed.sim.sendToAll(movingFrame(90_000, 30, nowhere), [bed.b.id]);
  await waitFor(() => recorder.handoffs('failed').length >= 1, 'a failed handoff', 15_000);
  await waitFor(() => recorder.of('onCircuitBreakerStateChange').some((e) => e.to === 'open'), 'the breaker to open');
  // Everything above has been scraped, and the post-handoff window has lasted longer than "stuck".
  await waitFor(async () => (await prometheus.query('redis_client_circuit_breaker_state{redis_client_circuit_breaker_state="open"} == 1')).length > 0,
    'a scrape of the open breaker', 15_000);
  await waitFor(async () => (await prometheus.query(`min_over_time(redis_client_connection_relaxed_timeout{redis_client_connection_notification="HANDOFF"}[${WINDOWS.stuck}]) > 0 and redis_client_connection_relaxed_timeout offset ${WINDOWS.stuck} > 0`)).length > 0,
    'the post-handoff window to outlast the stuck window', 20_000);
  failing = false;
  blocking = false;
  await Promise.all([load.stop(), failures, consumer]);
}, 90_000);

afterAll(async () => {
  await client?.close();
  await prometheus?.stop();
  await metrics?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The expression as Grafana would send it, with every dashboard variable set to "All". */
function resolve(expr: string, rangeS: number): string {
  return expr
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replaceAll('$__range', `${rangeS}s`)
    .replace(/\$(job|instance|server)\b/g, '.*');
}

const finite = (v: string): boolean => Number.isFinite(Number(v));

interface Finding {
  where: string;
  series: number;
  finiteValues: number;
  max: number;
}

async function evaluate(e: DashboardExpression, endS: number): Promise<Finding> {
  const rangeS = endS - startS;
  if (e.labelValues) {
    const [, selector, label] = /^label_values\((.*), ([a-z_]+)\)$/.exec(resolve(e.expr, rangeS))!;
    const values = await prometheus.labelValues(label!, selector!, startS, endS);
    return { where: e.where, series: values.length, finiteValues: values.length, max: values.length };
  }
  const series: Series[] = await prometheus.queryRange(resolve(e.expr, rangeS), startS, endS, 1);
  const values = series.flatMap((s) => s.values.map(([, v]) => v)).filter(finite).map(Number);
  return { where: e.where, series: series.length, finiteValues: values.length, max: values.length === 0 ? Number.NaN : Math.max(...values) };
}

describe('dashboards and alert rules against a real Prometheus', () => {
  const expressions = DASHBOARDS.flatMap(expressionsOf);

  it('the dashboards hold the panels the issue lists, and no query hides a missing metric', () => {
    expect(expressions.length).toBeGreaterThan(30);
    for (const e of expressions) expect(e.expr, e.where).not.toMatch(/\bor\s+(on\s*\([^)]*\)\s*)?vector\s*\(/);
  });

  it('every panel query, annotation and variable query returns data', async () => {
    const endS = Math.ceil(Date.now() / 1000);
    const findings = await Promise.all(expressions.map((e) => evaluate(e, endS)));
    const empty = findings.filter((f) => f.finiteValues === 0).map((f) => f.where);
    expect(empty).toEqual([]);
    const idle = findings.filter((f) => MUST_SHOW_ACTIVITY.some((t) => f.where.includes(t)) && !(f.max > 0)).map((f) => `${f.where} (max ${f.max})`);
    expect(idle).toEqual([]);
  });

  it('Prometheus loaded every alert rule, and every alert expression finds what the scenario did', async () => {
    const rules = await prometheus.rules();
    const groups = alertRules(WINDOWS);
    expect(rules.map((r) => r.name).sort()).toEqual(groups.flatMap((g) => g.rules.map((r) => r.alert)).sort());
    for (const r of rules) expect(r.health === 'ok' || r.health === 'unknown', `${r.name}: ${r.lastError ?? ''}`).toBe(true);
    const endS = Math.ceil(Date.now() / 1000);
    const findings = await Promise.all(groups.flatMap((g) => g.rules).map((r) => evaluate({ where: r.alert, expr: r.expr, labelValues: false }, endS)));
    expect(findings.filter((f) => !(f.max > 0)).map((f) => f.where)).toEqual([]);
    for (const r of groups.flatMap((g) => g.rules)) expect(r.expr, r.alert).not.toMatch(/vector\s*\(/);
  });
});
