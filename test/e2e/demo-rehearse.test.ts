/**
 * `hitless rehearse --url`: the demo's rehearsal in front of a Redis the user runs (here a
 * password-protected redis-server started by the test), through the simulator. Its keys are gone
 * afterwards, the user's are kept, the password never reaches the output; a Redis that cannot be
 * reached and a missing --url are clear errors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'rehearse'];
const PASSWORD = 'rehearse-secret-4711';

let redis: RedisServer;
let direct: Client;

beforeAll(async () => {
  redis = await startRedis({ args: ['--requirepass', PASSWORD] });
  direct = createClient({ port: redis.port, password: PASSWORD, maintNotifications: { mode: 'disabled' } });
  await direct.connect();
});

afterAll(async () => {
  await direct?.close();
  await redis?.stop();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('hitless rehearse --url', () => {
  it('rehearses in front of a password-protected Redis with zero errors, keeps its keys, deletes its own, never prints the password', { timeout: 60_000 }, async () => {
    await direct.set('production:key', 'kept');
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}/0`;
    const { code, stdout, stderr } = await run(['--url', url, '--duration', '8', '--scenario', 'failover,moving-ip,moving-unreachable', '--json', '--metrics-port', '0']);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ ok: true, errors: 0, lostWrites: 0, lostMessages: 0, redis: { source: 'url', address: `127.0.0.1:${redis.port}` } });
    expect(code).toBe(0);
    expect(summary.steps.map((s: { name: string }) => s.name)).toEqual(['failover', 'moving-ip', 'moving-unreachable']);
    expect(summary.notifications).toMatchObject({ FAILING_OVER: expect.any(Number), FAILED_OVER: expect.any(Number), MOVING: expect.any(Number) });
    expect(summary.handoffs.succeeded).toBeGreaterThan(0);
    expect(summary.commands).toBeGreaterThan(1000);
    expect(await direct.sendCommand(['KEYS', '*'])).toEqual(['production:key']);
    expect(stdout + stderr).not.toContain(PASSWORD);
    expect(stderr).toContain(`redis: 127.0.0.1:${redis.port} (given`);
    expect(stderr).not.toContain('started redis-server');
  });

  it('a wrong password: exit 1 naming the Redis and what it said, no stack trace', () => {
    const result = spawnSync(process.execPath, [...CLI, '--url', `redis://:wrong@127.0.0.1:${redis.port}`, '--metrics-port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toMatch(new RegExp(`^hitless rehearse: cannot reach the Redis at 127\\.0\\.0\\.1:${redis.port}: .*WRONGPASS`, 'm'));
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.status).toBe(1);
  });

  it('nothing listening there: exit 1, naming the address', async () => {
    const port = await freePort();
    const result = spawnSync(process.execPath, [...CLI, '--url', `redis://127.0.0.1:${port}`, '--metrics-port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toContain(`hitless rehearse: cannot reach the Redis at 127.0.0.1:${port}:`);
    expect(result.status).toBe(1);
  });

  it.each([
    [[], '--url is required: the Redis to rehearse in front of'],
    [['--url', 'localhost:6379'], '--url must be a redis:// or rediss:// URL, got "localhost:6379"'],
    [['--redis-url', 'redis://127.0.0.1:1'], 'unknown option --redis-url'],
    [['staging'], 'rehearse takes no argument, got "staging" (the Redis goes in --url)'],
  ])('%j: exit 2 and a clear message', (args, message) => {
    const result = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
  });

  it('--help lists --url and the steps', () => {
    const result = spawnSync(process.execPath, [...CLI, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: hitless rehearse --url/);
    expect(result.stdout).toContain('moving-unreachable');
  });
});
