import { SimulatorError, badInput } from './errors.js';
import type { Route } from './routes.js';
import type { SimulatorControl } from './control.js';
import type { NodeFaults } from './types.js';

/**
 * Routes compatible with Redis's fault injector, as node-redis, go-redis and redis-py call it:
 * `POST /action {type, parameters}` → `{action_id}`, `GET /action/:id` → status, `GET /actions`
 * (a reachability probe). Plus `POST /simulator/faults`, our own route for the fault knobs.
 */
export function faultInjectorRoutes(simulator: SimulatorControl): Route[] {
  return [
    {
      method: 'POST',
      path: '/action',
      handle: async (request) => {
        const body = await request.json();
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('the body must be a JSON object {type, parameters}');
        const { type, parameters } = body as { type?: unknown; parameters?: unknown };
        const record = simulator.actions.start(type, parameters);
        return { body: { action_id: record.action_id, status: record.status, message: `${record.type} started` } };
      },
    },
    {
      method: 'GET',
      path: '/action/:id',
      handle: ({ params }) => {
        const record = simulator.actions.get(params.id!);
        if (record === undefined) throw new SimulatorError('ERR_SIM_NOT_FOUND', `no action "${params.id}"`);
        return { body: record };
      },
    },
    {
      method: 'GET',
      path: '/actions',
      handle: () => ({ body: { actions: simulator.actions.list() } }),
    },
    {
      // go-redis's ListActions shape.
      method: 'GET',
      path: '/action',
      handle: () => ({
        body: {
          actions: simulator.actions.list().map((r) => ({ job_id: r.action_id, action_type: r.type, status: r.status, submitted_at: r.start_time })),
        },
      }),
    },
    {
      method: 'POST',
      path: '/simulator/faults',
      handle: async (request) => {
        const body = await request.json();
        const { nodes, ...faults } = checkFaults(body);
        await simulator.setFaults(faults, nodes);
        let dropped = 0;
        if ((body as { dropConnections?: unknown }).dropConnections === true) dropped = simulator.dropConnections(nodes);
        return { body: { success: true, nodes: simulator.nodes().filter((n) => nodes === undefined || nodes.includes(n.id)).map((n) => ({ id: n.id, faults: n.faults })), dropped } };
      },
    },
  ];
}

const KNOBS: Record<keyof NodeFaults, 'number' | 'boolean'> = {
  latencyMs: 'number',
  connectDelayMs: 'number',
  refuseConnections: 'boolean',
  blackhole: 'boolean',
  notifications: 'boolean',
};

function checkFaults(body: unknown): Partial<NodeFaults> & { nodes?: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('the body must be a JSON object');
  const input = body as Record<string, unknown>;
  const out: Partial<NodeFaults> & { nodes?: string[] } = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'dropConnections') {
      if (typeof value !== 'boolean') throw badInput('"dropConnections" must be a boolean');
      continue;
    }
    if (key === 'nodes') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badInput('"nodes" must be an array of node ids');
      out.nodes = value;
      continue;
    }
    const kind = KNOBS[key as keyof NodeFaults];
    if (kind === undefined) throw badInput(`unknown fault "${key}"; known: ${[...Object.keys(KNOBS), 'dropConnections', 'nodes'].join(', ')}`);
    if (typeof value !== kind || (kind === 'number' && (!Number.isFinite(value) || (value as number) < 0))) {
      throw badInput(`"${key}" must be a ${kind === 'number' ? 'non-negative number' : 'boolean'}`);
    }
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
