/**
 * One small adapter per client under test, so every workload drives hitless, node-redis and ioredis
 * through the same four calls. Adapters add nothing but a method call; each client's own API is
 * used the way its documentation shows.
 */
import { Redis } from 'ioredis';
import { createClient as createNodeRedis } from 'redis';
import type { Hook } from '../src/index.js';
import type { HitlessModule } from './compile.js';

export interface BenchClient {
  readonly name: string;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  /** One explicit pipeline of GETs, sent together and awaited as a whole. */
  pipelineGets(keys: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

export interface Endpoint {
  host: string;
  port: number;
}

let hitlessModule: HitlessModule | undefined;

/** Which build of hitless `hitless()` creates clients from (see compile.ts). */
export function useHitless(module: HitlessModule): void {
  hitlessModule = module;
}

export async function hitless(name: string, server: Endpoint, hooks: Hook[] = []): Promise<BenchClient> {
  if (hitlessModule === undefined) throw new Error('useHitless() first');
  const client = await hitlessModule.createClient({ host: server.host, port: server.port, hooks }).connect();
  return {
    name,
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    pipelineGets: (keys) => {
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.get(key);
      return pipeline.exec();
    },
    close: () => client.close(),
  };
}

/** node-redis 6.3.1 with RESP3 (`RESP: 3`); its pipeline is `multi()…execAsPipeline()`, no MULTI/EXEC sent. */
export async function nodeRedis(name: string, server: Endpoint): Promise<BenchClient> {
  const client = createNodeRedis({ socket: { host: server.host, port: server.port }, RESP: 3 });
  client.on('error', () => {});
  await client.connect();
  return {
    name,
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    pipelineGets: (keys) => {
      const multi = client.multi();
      for (const key of keys) multi.get(key);
      return multi.execAsPipeline();
    },
    close: async () => {
      await client.close();
    },
  };
}

/** ioredis 6 (RESP2 only), with or without `enableAutoPipelining`. */
export async function ioredis(name: string, server: Endpoint, autoPipelining: boolean): Promise<BenchClient> {
  const client = new Redis({ host: server.host, port: server.port, lazyConnect: true, enableAutoPipelining: autoPipelining });
  client.on('error', () => {});
  await client.connect();
  return {
    name,
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    pipelineGets: (keys) => {
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.get(key);
      return pipeline.exec();
    },
    close: async () => {
      await client.quit();
    },
  };
}
