/**
 * `hitless demo` as a user runs it: a child process that starts its own redis-server, the
 * simulator and the instrumented client, rehearses every maintenance step under load and prints
 * its summary. The bar: zero errors, zero lost writes and messages, every notification type seen,
 * handoffs done, the metrics endpoint answering while it runs, and nothing left running after it
 * exits, also when it is stopped by a signal. Bad flags and a machine without Redis get clear errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { alive, cliArgv, NOTIFICATION_TYPES, redisPid, startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const CLI = cliArgv('demo');
const startDemo = (args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess => startCli('demo', args, env);

let dir: string;
beforeAll(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-demo-test-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hitless demo, short mode', () => {
  it('rehearses every step with zero errors and nothing lost, serves metrics while it runs, and leaves nothing behind', { timeout: 90_000 }, async () => {
    const report = path.join(dir, 'report.html');
    const demo = startDemo(['--duration', '8', '--json', '--metrics-port', '0', '--report', report]);
    await waitFor(() => /metrics: (http:\S+)/.test(demo.stderr()), `the metrics URL (stderr: ${demo.stderr()})`, 30_000);
    const url = /metrics: (http:\S+)/.exec(demo.stderr())![1]!;
    const pid = redisPid(demo.stderr());
    expect(alive(pid)).toBe(true);
    // Scraped while the rehearsal runs, after the first notifications arrived.
    await waitFor(() => demo.stderr().includes('✓ migrate'), 'the first step', 30_000);
    const scraped = await (await fetch(url)).text();
    expect(scraped).toMatch(/^redis_client_maintenance_notifications_total\{.*redis_client_connection_notification="MIGRATING".*\} [1-9]/m);

    const { code } = await demo.exited;
    const summary = JSON.parse(demo.stdout());
    expect(summary).toMatchObject({ ok: true, errors: 0, lostWrites: 0, lostMessages: 0, metrics: { url, answered: true }, redis: { source: 'started' } });
    expect(code).toBe(0);
    expect(summary.commands).toBeGreaterThan(1000);
    for (const type of NOTIFICATION_TYPES) expect(summary.notifications[type], type).toBeGreaterThan(0);
    expect(summary.handoffs.succeeded).toBeGreaterThan(0);
    // The unreachable step made handoffs retry; none gave up.
    expect(summary.handoffs.retried).toBeGreaterThan(0);
    expect(summary.handoffs.failed ?? 0).toBe(0);
    expect(summary.blocking.sent).toBeGreaterThan(0);
    expect(summary.blocking.received).toBe(summary.blocking.sent);
    expect(summary.pubsub.received).toBe(summary.pubsub.sent);
    expect(summary.steps.map((s: { name: string }) => s.name)).toEqual(['migrate', 'failover', 'smigrate', 'moving-ip', 'moving-fqdn', 'moving-none', 'moving-slow', 'moving-unreachable']);
    expect(summary.latency.maintenance.commands).toBeGreaterThan(0);
    expect(summary.latency.steady.commands).toBeGreaterThan(0);
    expect(summary.spans['redis.handoff']).toBe(summary.handoffs.succeeded);
    // The redis-server it started is gone, and so is the metrics server.
    expect(alive(pid)).toBe(false);
    await expect(fetch(url)).rejects.toThrow();

    // The report: self-contained, and its charts draw in a real browser.
    expect(demo.stderr()).toContain(`report: ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link|@import|url\(/);
    const dom = renderedDom(report);
    expect(dom).toContain('data-drawn="true"');
    // One shaded window per step; a marker per notification type; latency and ops/s over the whole run.
    expect(dom.match(/class="window"/g)).toHaveLength(3 * summary.steps.length);
    for (const type of NOTIFICATION_TYPES) expect(dom).toContain(`class="event" data-label="${type}"`);
    expect(dom).toContain('class="event" data-label="handoff succeeded"');
    const points = (series: string): number => Number(new RegExp(`class="series ${series}" data-points="(\\d+)"`).exec(dom)?.[1]);
    // Points every 250 ms over the run (all but the first moments).
    expect(points('p99')).toBeGreaterThan(summary.durationS * 3);
    expect(points('ops')).toBe(points('p99'));
    expect(points('node-A')).toBeGreaterThan(summary.durationS * 3);
    expect(points('node-B')).toBe(points('node-A'));
    expect(dom).toMatch(/<th>lost writes<\/th><td>0<\/td>/);
  });
});

/** The report's DOM after its scripts ran in headless Chromium, offline. */
function renderedDom(file: string): string {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'hitless-chromium-'));
  try {
    const result = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`,
      '--proxy-server=127.0.0.1:9', '--dump-dom', pathToFileURL(file).href], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    if (result.error) throw new Error(`headless chromium did not run (Debian: apt-get install chromium): ${result.error.message}`);
    expect(result.status).toBe(0);
    return result.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('hitless demo with --redis-url', () => {
  let redis: RedisServer;
  let direct: Client;
  beforeAll(async () => {
    redis = await startRedis();
    direct = createClient({ port: redis.port, maintNotifications: { mode: 'disabled' } });
    await direct.connect();
  });
  afterAll(async () => {
    await direct?.close();
    await redis?.stop();
  });

  it('rehearses in front of the given Redis, starts no redis-server, and deletes its keys afterwards', { timeout: 60_000 }, async () => {
    await direct.set('theirs', 'kept');
    const demo = startDemo(['--duration', '8', '--json', '--metrics-port', '0', '--scenario', 'migrate,moving-ip', '--redis-url', redis.url]);
    const { code } = await demo.exited;
    const summary = JSON.parse(demo.stdout());
    expect(summary).toMatchObject({ ok: true, errors: 0, lostWrites: 0, redis: { source: 'url', address: `127.0.0.1:${redis.port}` } });
    expect(code).toBe(0);
    expect(summary.steps.map((s: { name: string }) => s.name)).toEqual(['migrate', 'moving-ip']);
    expect(demo.stderr()).not.toContain('started redis-server');
    // Not a terminal: plain lines, the status every few seconds, no escape codes.
    expect(demo.stderr()).toMatch(/^\[ +\d+\.\ds\] \d+ ops\/s, 0 errors, \S+, connections A \d+ \/ B \d+, handoffs \d+, p99 /m);
    expect(demo.stderr()).not.toContain('\x1b[');
    expect(await direct.sendCommand(['KEYS', '*'])).toEqual(['theirs']);
  });
});

describe('hitless demo on a terminal', () => {
  it('draws the live view (redrawn in place) and ends with the summary', { timeout: 60_000 }, async () => {
    // script(1) runs the demo on a real pseudo-terminal.
    const command = [process.execPath, ...CLI, '--duration', '8', '--scenario', 'moving-ip', '--metrics-port', '0'].join(' ');
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', timeout: 50_000 });
    if (result.error) throw new Error(`script(1) did not run (Debian: bsdutils): ${result.error.message}`);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out.startsWith('\x1b[?25l')).toBe(true);
    const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('maintenance: moving-ip');
    expect(plain).toMatch(/\d+ ops\/s +0 errors +p99 [\d.]+ ms +handoffs [1-9]/);
    expect(plain).toMatch(/connections A \d+ \/ B [1-9]/);
    expect(out).toContain('\x1b[4F\x1b[J');
    expect(plain).toContain('PASSED: 0 errors, 0 lost writes, 0 lost messages');
    expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.lastIndexOf('\x1b[4F'));
  });
});

describe('hitless demo stopped by a signal', () => {
  it('SIGTERM mid-rehearsal: stops everything, prints the summary so far, exits 130', { timeout: 60_000 }, async () => {
    const demo = startDemo(['--duration', '60', '--json', '--metrics-port', '0']);
    await waitFor(() => demo.stderr().includes('▶ migrate'), `the first step (stderr: ${demo.stderr()})`, 30_000);
    const pid = redisPid(demo.stderr());
    demo.kill('SIGTERM');
    const { code } = await demo.exited;
    expect(code).toBe(130);
    expect(JSON.parse(demo.stdout())).toMatchObject({ ok: false, errors: 0, lostWrites: 0 });
    expect(demo.stderr()).toContain('stopped by a signal before the rehearsal finished');
    expect(alive(pid)).toBe(false);
  });

  it('a second Ctrl-C does not wait for the clean stop: exit 130 at once, the redis-server killed all the same', { timeout: 60_000 }, async () => {
    const demo = startDemo(['--duration', '60', '--metrics-port', '0']);
    await waitFor(() => demo.stdout().includes('▶ migrate'), `the first step (stdout: ${demo.stdout()})`, 30_000);
    const pid = redisPid(demo.stdout());
    demo.kill('SIGINT');
    demo.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(130);
    await waitFor(() => !alive(pid), 'the redis-server to be gone');
  });

  it('--keep-running and Ctrl-C (SIGINT): a clean stop with the summary, exit 0', { timeout: 60_000 }, async () => {
    const demo = startDemo(['--duration', '60', '--keep-running', '--metrics-port', '0']);
    await waitFor(() => demo.stdout().includes('✓ migrate'), `the first step (stdout: ${demo.stdout()})`, 30_000);
    const pid = redisPid(demo.stdout());
    demo.kill('SIGINT');
    const { code } = await demo.exited;
    expect(demo.stdout()).toContain('PASSED: 0 errors, 0 lost writes, 0 lost messages');
    expect(code).toBe(0);
    expect(alive(pid)).toBe(false);
  });
});

describe('hitless demo: bad input', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 20_000, env });

  it.each([
    [['--duration', 'soon'], '--duration must be a number from 8 to 3600, got "soon"'],
    [['--duration', '2'], '--duration must be a number from 8 to 3600, got "2"'],
    [['--rate', '1.5'], '--rate must be an integer from 10 to 100000, got "1.5"'],
    [['--scenario', 'migrate,teleport'], '--scenario: unknown step "teleport"'],
    [['--metrics-port', '70000'], '--metrics-port must be an integer from 0 to 65535, got "70000"'],
    [['--redis-url', 'http://127.0.0.1:1'], '--redis-url must be a redis:// or rediss:// URL, got "http://127.0.0.1:1"'],
    [['--colour=always'], 'unknown option --colour'],
    [['--duration'], '--duration needs a value'],
    [['extra'], 'demo takes no argument, got "extra"'],
    [['--report', '/nonexistent/dir/report.html'], '--report /nonexistent/dir/report.html: cannot write to /nonexistent/dir (ENOENT)'],
  ])('%j: exit 2 and a message naming the flag', (args, message) => {
    const result = run(args);
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('no redis-server on the PATH and no --redis-url: exit 1 and what to do', () => {
    // node runs by its absolute path; the PATH holds nothing at all.
    const empty = mkdtempSync(path.join(os.tmpdir(), 'hitless-demo-path-'));
    const env = { ...process.env, PATH: empty, REDIS_SERVER_BIN: '', REDIS_URL: '' };
    const result = run(['--metrics-port', '0'], env);
    rmSync(empty, { recursive: true });
    expect(result.stderr).toContain('hitless demo: no Redis to rehearse against: no redis-server on the PATH');
    expect(result.stderr).toMatch(/apt-get install redis-server.*REDIS_SERVER_BIN.*--redis-url/s);
    expect(result.status).toBe(1);
  });

  it('REDIS_SERVER_BIN pointing nowhere: exit 1 naming it', () => {
    const result = run(['--metrics-port', '0'], { ...process.env, REDIS_SERVER_BIN: '/nonexistent/redis-server', REDIS_URL: '' });
    expect(result.stderr).toContain('REDIS_SERVER_BIN=/nonexistent/redis-server does not run');
    expect(result.status).toBe(1);
  });
});
