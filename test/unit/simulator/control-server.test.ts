/**
 * The simulator's HTTP control API is not for the network: it binds loopback unless told
 * otherwise, and refuses what is not a small JSON body with a 4xx, never a 5xx or a crash.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/simulator/index.js';

let sim: Simulator;
let port: number;

beforeAll(async () => {
  // Nothing dials the upstream here: only the control API is exercised.
  sim = await Simulator.start({ nodes: [{ upstream: { host: '127.0.0.1', port: 1 } }], control: { port: 0 } });
  port = sim.controlAddress!.port;
});
afterAll(async () => {
  await sim.close();
});

function reachable(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const post = async (path: string, body: string): Promise<{ status: number; code: unknown }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body });
  const parsed = (await res.json()) as { code?: unknown };
  return { status: res.status, code: parsed.code };
};

describe('the simulator control API', () => {
  it('binds 127.0.0.1 by default: reachable there, not on another loopback address', async () => {
    expect(sim.controlAddress!.host).toBe('127.0.0.1');
    expect(await reachable('127.0.0.1')).toBe(true);
    // A wildcard (0.0.0.0) bind would answer on 127.0.0.2 too; Linux routes all of 127/8 to lo.
    expect(await reachable('127.0.0.2')).toBe(false);
  });

  const jsonRoutes = ['/action', '/simulator/faults', '/nodes', '/interceptors', '/scenarios'];
  for (const path of jsonRoutes) {
    it(`POST ${path}: a body over 1 MiB gets 413, one that is not JSON 400`, async () => {
      expect(await post(path, `"${'x'.repeat(1024 * 1024)}"`)).toEqual({ status: 413, code: 'ERR_SIM_BODY_TOO_LARGE' });
      expect(await post(path, 'not json{')).toEqual({ status: 400, code: 'ERR_SIM_BAD_INPUT' });
      for (const body of ['null', '[]', '123', '"text"']) {
        const { status } = await post(path, body);
        expect(status, `POST ${path} ${body}`).toBeGreaterThanOrEqual(400);
        expect(status, `POST ${path} ${body}`).toBeLessThan(500);
      }
    });
  }

  // These take raw RESP (base64 or not), by design not JSON: the size bound still holds.
  for (const path of ['/send-to-client/1', '/send-to-all-clients', '/send-to-clients?connectionIds=1']) {
    it(`POST ${path}: a body over 1 MiB gets 413`, async () => {
      expect(await post(path, 'x'.repeat(1024 * 1024 + 1))).toEqual({ status: 413, code: 'ERR_SIM_BODY_TOO_LARGE' });
    });
  }
});
