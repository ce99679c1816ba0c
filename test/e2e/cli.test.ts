import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../helpers/certificates.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

let redis: RedisServer;
let child: ChildProcess | undefined;
const children: ChildProcess[] = [];
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-cli-'));
});

afterAll(async () => {
  for (const proc of children) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});

describe('hitless CLI', () => {
  it('prints help for every command and exits 0', () => {
    for (const args of [['--help'], ['simulate', '--help'], ['simulate', 'trigger', '--help'], ['demo', '--help']]) {
      const result = run(...args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: hitless/);
    }
  });

  it('rejects bad usage with exit 2 and a clear message', () => {
    const bad = run('simulate', '--upstream', 'redis://127.0.0.1:1', '--listen', 'nowhere');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--listen must be host:port');
    expect(run('simulate', 'trigger', 'teleport').stderr).toContain('unknown action "teleport"');
  });

  it('simulate serves nodes, writes the endpoints config, and trigger drives it', async () => {
    const [listenPort, controlPort] = [await freePort(), await freePort()];
    const endpoints = path.join(dir, 'endpoints.json');
    child = spawn(process.execPath, [...CLI, 'simulate', '--upstream', redis.url, '--listen', `127.0.0.1:${listenPort}`,
      '--control', `127.0.0.1:${controlPort}`, '--endpoints-config', endpoints, '--migrate-wait-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('endpoints config written'), `the simulator to start (output: ${output})`, 20_000);
    expect(JSON.parse(readFileSync(endpoints, 'utf8'))).toEqual({
      'hitless-simulator': expect.objectContaining({ bdb_id: 1, tls: false, raw_endpoints: [expect.objectContaining({ dns_name: '127.0.0.1', port: listenPort })] }),
    });
    const client = await RawClient.connect('127.0.0.1', listenPort);
    try {
      await client.handshake('external-ip');
      const triggered = spawnSync(process.execPath, [...CLI, 'simulate', 'trigger', 'migrate', '--control', `127.0.0.1:${controlPort}`], { encoding: 'utf8', timeout: 20_000 });
      expect(triggered.status).toBe(0);
      expect(JSON.parse(triggered.stdout)).toMatchObject({ type: 'migrate', status: 'success' });
      await client.waitPush('MIGRATED');
      expect(client.pushes.map((p) => p[0])).toEqual(['MIGRATING', 'MIGRATED']);
    } finally {
      client.close();
    }
  });

  it('simulate --tls-cert/--tls-key/--tls-ca with a rediss:// upstream: TLS on both sides, tls: true in the endpoints config', async () => {
    const certificate = makeCertificate();
    const redisTls = await startRedis({ tls: certificate });
    try {
      const [listenPort, controlPort] = [await freePort(), await freePort()];
      const endpoints = path.join(dir, 'endpoints-tls.json');
      const proc = spawn(process.execPath, [...CLI, 'simulate', '--upstream', redisTls.url, '--listen', `127.0.0.1:${listenPort}`,
        '--control', `127.0.0.1:${controlPort}`, '--endpoints-config', endpoints,
        '--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile, '--tls-ca', certificate.certFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(proc);
      let output = '';
      proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor(() => output.includes('endpoints config written'), `the simulator to start (output: ${output})`, 20_000);
      expect(output).toContain('(TLS); upstream over TLS');
      expect(JSON.parse(readFileSync(endpoints, 'utf8'))).toEqual({
        'hitless-simulator': expect.objectContaining({ tls: true, endpoints: [`rediss://127.0.0.1:${listenPort}`] }),
      });
      const client = await RawClient.connectTls('127.0.0.1', listenPort, { ca: certificate.cert });
      try {
        expect(await client.call(['SET', 'cli-tls', 'both-ways'], ['GET', 'cli-tls'])).toEqual(['OK', 'both-ways']);
      } finally {
        client.close();
      }
      await expect(RawClient.connect('127.0.0.1', listenPort).then((plain) => {
        plain.send(['PING']);
        return plain.waitClosed().then(() => plain.replies);
      })).resolves.toEqual([]);
    } finally {
      await redisTls.stop();
    }
  });
});
