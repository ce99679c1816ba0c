/**
 * TracingHook's maintenance spans through the simulator (a password-protected redis-server
 * behind it): a span per notification with relax / restore events, a span per handoff linked to
 * its MOVING, maintenanceOnly, and no credential in any span.
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TracingHook } from '../../instrumentation/index.js';
import { type Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const PASSWORD = 'trace-Pa55word-never-in-spans';

const bed = useSimulator({ redis: { password: PASSWORD }, timings: { migrateWaitMs: 100, movingTimeS: 1 } });
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
let exporter: InMemorySpanExporter;
let provider: NodeTracerProvider;

beforeAll(() => {
  ({ sim, a, b } = bed);
});

afterEach(async () => {
  await provider?.shutdown();
  trace.disable();
  context.disable();
});

function tracing(options: ConstructorParameters<typeof TracingHook>[0] = {}): TracingHook {
  exporter = new InMemorySpanExporter();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return new TracingHook({ tracerProvider: provider, ...options });
}

const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
const plain = (spans: ReadableSpan[]) => spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links }));

describe('TracingHook: maintenance spans', () => {
  it('a span per notification with its relax / restore events; a handoff span linked to its MOVING', async () => {
    const client = await connectedClient({ port: a.port, password: PASSWORD, hooks: [tracing()], maintNotifications: { mode: 'enabled' } });
    await client.get('tr:before');
    await sim.migrate();
    await sim.moving({ from: [a.id], to: b.id });
    await waitFor(() => finished('redis.handoff').length === 1, 'the handoff span');
    await client.get('tr:after');
    // network.peer.* is the address the socket reached: a as dialled (127.0.0.1) before the
    // handoff, b at the IP its MOVING named after it.
    const peers = finished('GET').map((s) => [s.attributes['network.peer.address'], s.attributes['network.peer.port']]);
    expect(peers).toEqual([['127.0.0.1', a.port], [b.ipHost, b.port]]);

    const [migrating] = finished('redis.maintenance MIGRATING');
    expect(migrating!.attributes).toMatchObject({ 'redis.client.connection.notification': 'MIGRATING', 'redis.client.maintenance.outcome': 'handled', 'server.port': a.port });
    expect(migrating!.events.map((e) => e.name)).toEqual(['timeouts relaxed']);
    expect(finished('redis.maintenance MIGRATED')[0]!.events.map((e) => e.name)).toEqual(['timeouts restored']);

    const [moving] = finished('redis.maintenance MOVING');
    expect(moving!.attributes).toMatchObject({
      'redis.client.maintenance.seq': expect.any(Number), 'redis.client.maintenance.time_s': expect.any(Number),
      'redis.client.maintenance.endpoint': `${b.ipHost}:${b.port}`, 'redis.client.maintenance.outcome': 'handled',
      'network.peer.address': '127.0.0.1', 'network.peer.port': a.port,
    });
    // Maintenance spans are roots: they are the server's doing, not a caller's.
    expect(moving!.parentSpanContext).toBeUndefined();

    const [handoff] = finished('redis.handoff');
    expect(handoff!.links.map((l) => l.context.spanId)).toEqual([moving!.spanContext().spanId]);
    expect(handoff!.attributes).toMatchObject({ 'redis.client.connection.handoff.outcome': 'succeeded', 'redis.client.handoff.attempts': 1, 'redis.client.handoff.to': `${b.ipHost}:${b.port}` });
    expect(handoff!.events.map((e) => e.name)).toEqual(['queued', 'started', 'succeeded']);
    expect(handoff!.status.code).toBe(SpanStatusCode.UNSET);
    // The handshake's AUTH and the replacement's HELLO … AUTH: the password is in no span.
    expect(JSON.stringify(plain(exporter.getFinishedSpans()))).not.toContain(PASSWORD);
    await client.close();
  });

  it('maintenanceOnly keeps the maintenance spans and drops the command ones', async () => {
    const client = await connectedClient({ port: a.port, password: PASSWORD, hooks: [tracing({ maintenanceOnly: true })], maintNotifications: { mode: 'enabled' } });
    await client.set('tr:k', 'v');
    await sim.migrate();
    await waitFor(() => finished('redis.maintenance MIGRATED').length === 1, 'the MIGRATED span');
    expect(finished('SET')).toEqual([]);
    expect(finished('redis.maintenance MIGRATING')).toHaveLength(1);
    await client.close();
  });

  it('an invalid notification ends its span with status ERROR and the error type', async () => {
    const client = await connectedClient({ port: a.port, password: PASSWORD, hooks: [tracing()], maintNotifications: { mode: 'enabled' } });
    sim.sendToAll(Buffer.from('>3\r\n$9\r\nMIGRATING\r\n$1\r\nx\r\n:1\r\n'), [a.id]);
    await waitFor(() => finished('redis.maintenance MIGRATING').length === 1, 'the span');
    const [span] = finished('redis.maintenance MIGRATING');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({ 'error.type': 'ERR_INVALID_NOTIFICATION', 'redis.client.maintenance.outcome': 'invalid' });
    await client.close();
  });
});
