/** The bench's side of bench/node-redis-process.ts: starts it, runs workload (a) in it, stops it. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from './clients.js';
import type { ChildMessage, ParentMessage } from './node-redis-process.js';

export interface RemoteNodeRedis {
  readonly name: string;
  /** Workload (a) with `ops` commands in the child; its ops/s. */
  concurrent(ops: number, prefix: string): Promise<number>;
  /** Closes the client and ends the process; the operations its OTel metrics recorded (0 without). */
  close(): Promise<number>;
}

const script = fileURLToPath(new URL('./node-redis-process.ts', import.meta.url));

function next(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage): void => {
      cleanup();
      if ('error' in message) reject(new Error(`node-redis process: ${message.error}`));
      else resolve(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`node-redis process exited (code ${code}) before answering`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startNodeRedisProcess(server: Endpoint, otel: boolean): Promise<RemoteNodeRedis> {
  // Same Node, through tsx like the bench itself.
  const child = fork(script, [server.host, String(server.port), ...(otel ? ['--otel'] : [])], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await next(child);
  const ask = async <K extends string>(message: ParentMessage, key: K): Promise<number> => {
    const answer = next(child);
    child.send(message);
    return (await answer as Record<K, number>)[key];
  };
  return {
    name: otel ? 'node-redis + its OTel metrics' : 'node-redis',
    concurrent: (ops, prefix) => ask({ ops, prefix }, 'opsPerSecond'),
    close: () => ask({ close: true }, 'recorded'),
  };
}
