/**
 * Starts real redis-server processes on free loopback ports for tests, and makes sure they stop
 * (`stop()` in the test, and children.ts's safety nets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { terminate, track } from './children.js';

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--requirepass', 'secret']. */
  args?: string[];
  /** Serve TLS on the port (the plain port is disabled) with this certificate. */
  tls?: { certFile: string; keyFile: string };
  /** Reuse a port (e.g. to restart a killed server on the same address). */
  port?: number;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Graceful stop (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: the server vanishes mid-flight, as in a crash. */
  kill(): Promise<void>;
  /** Start the same server again on the same port (after kill or stop). */
  restart(): Promise<void>;
}


export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-redis-'));
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = ['--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    if (options.tls) {
      args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile,
        '--tls-key-file', options.tls.keyFile, '--tls-auth-clients', 'no');
    } else {
      args.push('--port', String(port));
    }
    args.push(...(options.args ?? []));
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    track(proc);
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`redis-server on port ${port} exited with ${code} before it was ready:\n${output}`));
      proc.once('exit', onExit);
      const check = (): void => {
        if (output.includes('Ready to accept connections')) {
          proc.off('exit', onExit);
          proc.stdout!.removeAllListeners('data');
          proc.stdout!.resume();
          resolve();
          return;
        }
        proc.stdout!.once('data', check);
      };
      check();
    });
  };

  await launch();
  return {
    host,
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${host}:${port}`,
    stop: async () => {
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => terminate(child, 'SIGKILL'),
    restart: launch,
  };
}
