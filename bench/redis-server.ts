/**
 * One redis-server for the whole benchmark run: the demo's (src/demo/redis-server.ts), on a free
 * loopback port (never 6379), without persistence, optionally pinned to one CPU with `taskset`
 * so it does not trade cores with Node. `stop()` must be called.
 */
import { spawnSync } from 'node:child_process';
import { startRedisServer } from '../src/demo/redis-server.js';

export interface BenchServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Pins every thread of `pid` to `cpu`; false if taskset is missing or refused. */
export function pin(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

export function startServer(options: { cpu?: number } = {}): Promise<BenchServer> {
  return startRedisServer('redis-server', 'from PATH', options);
}
