import { badInput } from './errors.js';
import type { Request, Route } from './routes.js';
import { validateFrames } from './frames.js';
import type { SimulatorControl } from './control.js';

/**
 * Routes compatible with cae-resp-proxy's control API (v0.1.9 code shapes, which is what
 * go-redis, redis-py and node-redis's ProxyController use): node ids `targetHost:targetPort@port`,
 * per-node maps in /stats and /connections, "not found" as 200 with success:false.
 *
 * Differences on purpose: payloads must be whole RESP frames (a 400 otherwise, instead of writing
 * garbage into client streams), `raw` bodies are taken byte for byte, and /stats connections
 * carry our per-connection record (opt-in, endpoint type, counters) next to cae's fields.
 */


export function proxyApiRoutes(simulator: SimulatorControl): Route[] {
  return [
    { method: 'GET', path: '/stats', handle: () => ({ body: stats(simulator) }) },
    {
      method: 'GET',
      path: '/connections',
      handle: () => ({ body: Object.fromEntries(simulator.nodes().map((n) => [n.id, simulator.connections(n.id).map((c) => c.id)])) }),
    },
    { method: 'GET', path: '/nodes', handle: () => ({ body: { ids: simulator.nodes().map((n) => n.id) } }) },
    {
      method: 'POST',
      path: '/nodes',
      handle: async (request) => {
        const body = await request.json();
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('the body must be a JSON object');
        const d = simulator.proxyDefaults;
        const cfg: Record<string, unknown> = { listenHost: d.listenHost, targetHost: d.targetHost, targetPort: d.targetPort, timeout: d.timeoutMs, ...(body as Record<string, unknown>) };
        if (!isPort(cfg.listenPort)) throw badInput('"listenPort" must be a port number');
        if (typeof cfg.targetHost !== 'string' || cfg.targetHost === '') throw badInput('"targetHost" is required');
        if (!isPort(cfg.targetPort) || cfg.targetPort === 0) throw badInput('"targetPort" must be a port number');
        if (typeof cfg.listenHost !== 'string') throw badInput('"listenHost" must be a string');
        if (cfg.timeout !== undefined && (typeof cfg.timeout !== 'number' || cfg.timeout < 0)) throw badInput('"timeout" must be a number of ms');
        const node = await simulator.addNode({
          upstream: { host: cfg.targetHost, port: cfg.targetPort },
          listen: [{ host: cfg.listenHost, port: cfg.listenPort as number }],
          idleTimeoutMs: cfg.timeout as number | undefined,
          // Nodes added over the API speak TLS like the ones the simulator was started with.
          ...(d.tls === undefined ? {} : { tls: d.tls }),
          ...(d.upstreamTls === undefined ? {} : { upstreamTls: d.upstreamTls }),
        });
        return { body: { success: true, cfg: { ...cfg, listenPort: node.port }, id: node.id } };
      },
    },
    { method: 'DELETE', path: '/nodes/:id', handle: async ({ params }) => ({ body: { success: await simulator.removeNode(params.id!) } }) },
    {
      method: 'POST',
      path: '/send-to-client/:id',
      handle: async (request) => ({ body: simulator.send(request.params.id!, await payload(request)) }),
    },
    {
      method: 'POST',
      path: '/send-to-clients',
      handle: async (request) => {
        const ids = request.query.get('connectionIds');
        if (ids === null || ids === '') throw badInput('"connectionIds" query parameter is required (comma-separated)');
        const frames = await payload(request);
        const known = new Set(simulator.connections().map((c) => c.id));
        return { body: { results: ids.split(',').filter((id) => known.has(id)).map((id) => simulator.send(id, frames)) } };
      },
    },
    {
      method: 'POST',
      path: '/send-to-all-clients',
      handle: async (request) => ({ body: { results: simulator.sendToAll(await payload(request)) } }),
    },
    {
      method: 'DELETE',
      path: '/connections/:id',
      handle: ({ params }) => ({ body: { success: simulator.dropConnection(params.id!), connectionId: params.id } }),
    },
    {
      method: 'POST',
      path: '/interceptors',
      handle: async (request) => {
        const body = (await request.json()) as Record<string, unknown> | null;
        if (typeof body !== 'object' || body === null) throw badInput('the body must be a JSON object {name, match, response, encoding}');
        const { name, match, response, encoding } = body;
        if (typeof name !== 'string' || name === '') throw badInput('"name" is required');
        if (typeof match !== 'string' || typeof response !== 'string') throw badInput('"match" and "response" must be strings');
        if (encoding !== 'raw' && encoding !== 'base64') throw badInput('"encoding" must be "raw" or "base64"');
        const reply = decode(response, encoding);
        // An empty response is how redis-py "resets" an interceptor (with an unmatchable match).
        if (reply.length > 0) validateFrames(reply);
        simulator.interceptors.add(name, decode(match, encoding), reply);
        return { body: { success: true, name } };
      },
    },
    {
      method: 'POST',
      path: '/scenarios',
      handle: async (request) => {
        const body = (await request.json()) as Record<string, unknown> | null;
        const responses = body?.responses;
        const encoding = body?.encoding ?? 'base64';
        if (!Array.isArray(responses) || responses.length === 0 || !responses.every((r) => typeof r === 'string')) {
          throw badInput('"responses" must be a non-empty array of strings');
        }
        if (encoding !== 'raw' && encoding !== 'base64') throw badInput('"encoding" must be "raw" or "base64"');
        const replies = (responses as string[]).map((r) => decode(r, encoding));
        replies.forEach(validateFrames);
        simulator.interceptors.setScenario(replies);
        return { body: { success: true, totalResponses: replies.length } };
      },
    },
  ];
}

function stats(simulator: SimulatorControl): Record<string, unknown> {
  const custom = simulator.interceptors.stats();
  const out: Record<string, unknown> = {};
  for (const info of simulator.nodes()) {
    const handshakes = simulator.handshakeStats(info.id) ?? { invoked: 0, matched: 0 };
    const builtIns = [{ name: 'hitless', invokeCount: handshakes.invoked, matchCount: handshakes.matched }];
    if (simulator.defaultInterceptors.has('cluster')) builtIns.push({ name: 'cluster', invokeCount: 0, matchCount: 0 });
    out[info.id] = {
      activeConnections: info.activeConnections,
      totalConnections: info.totalConnections,
      globalInterceptors: [...custom, ...builtIns],
      connections: simulator.connections(info.id).map((c) => ({
        ...c,
        interceptors: [],
      })),
    };
  }
  return out;
}

async function payload(request: Request): Promise<Buffer> {
  const encoding = request.query.get('encoding') ?? 'base64';
  if (encoding !== 'raw' && encoding !== 'base64') throw badInput('"encoding" must be "raw" or "base64"');
  const body = await request.body();
  return encoding === 'raw' ? body : Buffer.from(body.toString('latin1').trim(), 'base64');
}

function decode(text: string, encoding: 'raw' | 'base64'): Buffer {
  return encoding === 'raw' ? Buffer.from(text, 'utf8') : Buffer.from(text, 'base64');
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}
