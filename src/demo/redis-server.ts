/**
 * The redis-server the demo starts when it is given none: found on the PATH (or REDIS_SERVER_BIN),
 * started on a free loopback port (never 6379) without persistence, in a temporary directory, and
 * always stopped: by `stop()`, or SIGKILLed by an exit handler if the process ends another way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** No Redis to rehearse against: none found to start, or the given one cannot be reached. */
export class RedisUnavailableError extends Error {
  readonly code = 'ERR_NO_REDIS';
}

export interface DemoRedis {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  stop(): Promise<void>;
}

/** The redis-server binary to use, or a RedisUnavailableError saying how to get one. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): { bin: string; version: string } {
  const bin = env.REDIS_SERVER_BIN || 'redis-server';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
  if (probe.error !== undefined || probe.status !== 0) {
    const where = env.REDIS_SERVER_BIN ? `REDIS_SERVER_BIN=${env.REDIS_SERVER_BIN} does not run` : 'no redis-server on the PATH';
    throw new RedisUnavailableError(
      `no Redis to rehearse against: ${where}. Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), ` +
        'point REDIS_SERVER_BIN at a redis-server binary, or pass --redis-url redis://host:port (or set REDIS_URL).',
    );
  }
  const version = /v=([0-9.]+)/.exec(probe.stdout)?.[1] ?? 'unknown';
  return { bin, version };
}

/** A free loopback port other than Redis's default one. */
export async function freePort(host = '127.0.0.1', avoid: readonly number[] = [6379]): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, host, () => {
        const { port: bound } = server.address() as net.AddressInfo;
        server.close(() => resolve(bound));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

/**
 * A redis-server on a free loopback port, without persistence; `cpu` pins it to one CPU with
 * `taskset` (the benchmarks, so it does not trade cores with Node). `stop()` must be called; an
 * exit handler SIGKILLs it if the process ends some other way.
 */
export async function startRedisServer(bin: string, version: string, options: { cpu?: number } = {}): Promise<DemoRedis> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-redis-'));
  const args = ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const child: ChildProcess = options.cpu === undefined
    ? spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('taskset', ['-c', String(options.cpu), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const kill = (): void => {
    child.kill('SIGKILL');
    removeDir();
  };
  process.on('exit', kill);
  const cleanUp = (): void => {
    process.off('exit', kill);
    removeDir();
  };
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`redis-server on port ${port} exited with ${code} before it was ready:\n${output}`));
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
    });
  } catch (error) {
    kill();
    cleanUp();
    throw error;
  }
  child.stderr!.resume();
  return {
    host,
    port,
    pid: child.pid!,
    version,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      cleanUp();
    },
  };
}
