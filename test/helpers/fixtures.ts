/**
 * Per-file fixtures: a redis-server (with a plain client straight to it, for setting up and
 * checking data), or that plus a two-node maintenance simulator in front of it. Each registers
 * its own beforeAll/afterAll, so a file only says what it needs.
 */
import { afterAll, beforeAll } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { Simulator, type NodeInfo, type ScenarioTimings } from '../../src/simulator/index.js';
import { startRedis, type RedisServer, type RedisServerOptions } from './redis-server.js';

export interface RedisFixture {
  readonly server: RedisServer;
  /** A client straight to the server, without maintenance notifications. */
  readonly direct: Client;
}

export interface RedisFixtureOptions extends RedisServerOptions {
  /** The server requires it (requirepass); the direct client uses it. */
  password?: string;
}

export function useRedis(options: RedisFixtureOptions = {}): RedisFixture {
  let server: RedisServer | undefined;
  let direct: Client | undefined;
  const { password, ...serverOptions } = options;
  beforeAll(async () => {
    server = await startRedis(password === undefined ? serverOptions : { ...serverOptions, args: [...(serverOptions.args ?? []), '--requirepass', password] });
    direct = await createClient({ port: server.port, password, maintNotifications: { mode: 'disabled' } }).connect();
  });
  afterAll(async () => {
    await direct?.close();
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    get direct() {
      return direct!;
    },
  };
}

export interface SimulatorFixture extends RedisFixture {
  readonly sim: Simulator;
  /** The node clients connect to. */
  readonly a: NodeInfo;
  /** Where MOVING sends them. */
  readonly b: NodeInfo;
}

/** Two simulator nodes in front of one redis-server (the simulator closes before the server stops). */
export function useSimulator(options: { redis?: RedisFixtureOptions; timings?: Partial<ScenarioTimings> } = {}): SimulatorFixture {
  const redis = useRedis(options.redis);
  let sim: Simulator | undefined;
  let nodes: NodeInfo[] = [];
  beforeAll(async () => {
    const upstream = { host: redis.server.host, port: redis.server.port };
    sim = await Simulator.start({ nodes: [{ upstream }, { upstream }], timings: options.timings });
    nodes = sim.nodes();
  });
  afterAll(async () => {
    await sim?.close();
  });
  return {
    get server() {
      return redis.server;
    },
    get direct() {
      return redis.direct;
    },
    get sim() {
      return sim!;
    },
    get a() {
      return nodes[0]!;
    },
    get b() {
      return nodes[1]!;
    },
  };
}
