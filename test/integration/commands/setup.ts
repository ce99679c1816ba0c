/**
 * Shared setup for the command-family tests: one redis-server per test file, and clients for
 * each protocol (every family runs under RESP2 and RESP3, whose reply shapes differ).
 */
import { afterAll, beforeAll } from 'vitest';
import { createClient, type Client, type ClientOptions } from '../../../src/index.js';
import { startRedis, type RedisServer } from '../../helpers/redis-server.js';

export const PROTOCOLS = [2, 3] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface CommandTestServer {
  readonly server: RedisServer;
  /** A connected client for `protocol`, closed when the file ends. */
  client(protocol: Protocol, options?: Omit<ClientOptions, 'protocol' | 'url' | 'returnBuffers'>): Promise<Client<string>>;
  /** A connected `returnBuffers: true` client for `protocol`. */
  bufferClient(protocol: Protocol): Promise<Client<Buffer>>;
}

/** Starts one redis-server for the file (beforeAll) and stops it and every client (afterAll). */
export function useRedisServer(args: string[] = []): CommandTestServer {
  let server: RedisServer | undefined;
  const clients: Array<Client<string> | Client<Buffer>> = [];
  beforeAll(async () => {
    server = await startRedis({ args });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => c.destroy())));
    await server?.stop();
  });
  const started = (): RedisServer => {
    if (!server) throw new Error('redis-server not started yet');
    return server;
  };
  return {
    get server() {
      return started();
    },
    async client(protocol, options) {
      const client = createClient({ ...options, url: started().url, protocol });
      clients.push(client);
      return client.connect();
    },
    async bufferClient(protocol) {
      const client = createClient({ url: started().url, protocol, returnBuffers: true });
      clients.push(client);
      return client.connect();
    },
  };
}
