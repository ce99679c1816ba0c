/**
 * Where the demo serves its metrics: on 9464 (what grafana/prometheus.yml scrapes) when it is
 * free, on a free port when something else holds it, and a clear error when an explicitly asked
 * port is taken. Real sockets, a real prom-client Registry.
 */
import net from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_PORT, serveDemoMetrics } from '../../src/demo/telemetry.js';

/** Holds `port` for the duration of `fn`; false when someone else holds it already. */
async function holding<T>(port: number, fn: (held: boolean) => Promise<T>): Promise<T> {
  const blocker = net.createServer();
  const held = await new Promise<boolean>((resolve) => {
    blocker.once('error', () => resolve(false));
    blocker.listen(port, '127.0.0.1', () => resolve(true));
  });
  try {
    return await fn(held);
  } finally {
    if (held) await new Promise((resolve) => blocker.close(resolve));
  }
}

describe('serveDemoMetrics', () => {
  it('falls back to a free port when 9464 is taken, and serves the registry there', async () => {
    await holding(DEFAULT_METRICS_PORT, async () => {
      const registry = new Registry();
      const server = await serveDemoMetrics(registry, undefined);
      try {
        expect(server.port).not.toBe(DEFAULT_METRICS_PORT);
        expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
        expect((await fetch(server.url)).status).toBe(200);
      } finally {
        await server.close();
      }
    });
  });

  it('an explicit port that is taken is an error naming it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await expect(serveDemoMetrics(new Registry(), port)).rejects.toThrow(`cannot serve the metrics on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('uses 9464 when it is free', async () => {
    // No test here listens on 9464; should another process hold it, the fallback is what applies.
    const free = await holding(DEFAULT_METRICS_PORT, async (held) => held);
    const server = await serveDemoMetrics(new Registry(), undefined);
    try {
      if (free) expect(server.port).toBe(DEFAULT_METRICS_PORT);
      else expect(server.port).not.toBe(DEFAULT_METRICS_PORT);
    } finally {
      await server.close();
    }
  });
});
