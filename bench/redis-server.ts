/**
 * One redis-server for the whole benchmark run, on a free loopback port (never 6379), without
 * persistence, optionally pinned to one CPU with `taskset` so it does not trade cores with Node.
 * `stop()` must be called; an exit handler SIGKILLs it if the process ends some other way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface BenchServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Pins every thread of `pid` to `cpu`; false if taskset is missing or refused. */
export function pin(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

export async function startServer(options: { cpu?: number } = {}): Promise<BenchServer> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-bench-redis-'));
  const args = ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const child: ChildProcess =
    options.cpu === undefined
      ? spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('taskset', ['-c', String(options.cpu), 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', kill);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`redis-server on port ${port} exited with ${code}:\n${output}`));
    child.once('exit', onExit);
    child.once('error', reject);
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (!output.includes('Ready to accept connections')) return;
      child.off('exit', onExit);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  }).catch((error: unknown) => {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  child.stderr!.resume();
  return {
    host,
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
