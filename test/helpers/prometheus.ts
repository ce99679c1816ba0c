/**
 * A real Prometheus (Debian's `prometheus` package) for tests: on a free loopback port, with its
 * own config and storage in a temporary folder, scraping the given targets every second, stopped
 * by `stop()` (and by children.ts's safety nets). Queries go through its HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminate, track } from './children.js';
import { freePort } from './redis-server.js';
import { waitFor } from './wait.js';

export interface Series {
  readonly metric: Readonly<Record<string, string>>;
  /** [unix seconds, value as Prometheus prints it ("NaN", "+Inf", "0.25")]. */
  readonly values: readonly (readonly [number, string])[];
}

export interface PrometheusServer {
  readonly url: string;
  /** A range query, as Grafana runs a panel's query. Rejects with Prometheus's error text. */
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<Series[]>;
  /** An instant query's vector, as [labels, value] pairs. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: string }[]>;
  /** A label's values among the series that match `selector`, as Grafana's label_values() asks. */
  labelValues(label: string, selector: string, startS: number, endS: number): Promise<string[]>;
  /** The rules Prometheus loaded, with their health. */
  rules(): Promise<{ name: string; health: string; lastError?: string }[]>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port of each /metrics endpoint, scraped every second as job "hitless". */
  targets: readonly string[];
  /** Rule files to load, as absolute paths. */
  ruleFiles?: readonly string[];
}

interface ApiReply<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-prometheus-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:',
    '  - job_name: hitless',
    '    static_configs:',
    `      - targets: ${JSON.stringify(options.targets)}`,
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code}:\n${output}`))));
  exited.catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await terminate(child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${url}${pathAndQuery}`);
    const body = (await response.json()) as ApiReply<T>;
    if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.error ?? response.status}`);
    return body.data;
  };
  const ready = async (): Promise<boolean> => {
    try {
      return (await fetch(`${url}/-/ready`)).ok;
    } catch {
      return false;
    }
  };
  try {
    await Promise.race([waitFor(ready, 'prometheus to be ready', 20_000), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  const q = encodeURIComponent;
  return {
    url,
    queryRange: async (expr, startS, endS, stepS) =>
      (await api<{ result: Series[] }>(`/api/v1/query_range?query=${q(expr)}&start=${startS}&end=${endS}&step=${stepS}`)).result,
    query: async (expr) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${q(expr)}`))
      .result.map((r) => ({ metric: r.metric, value: r.value[1] })),
    labelValues: (label, selector, startS, endS) => api<string[]>(`/api/v1/label/${q(label)}/values?match[]=${q(selector)}&start=${startS}&end=${endS}`),
    rules: async () => (await api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules'))
      .groups.flatMap((g) => g.rules.map(({ name, health, lastError }) => ({ name, health, lastError }))),
    stop,
  };
}
