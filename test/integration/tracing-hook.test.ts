/**
 * TracingHook against a real redis-server, with a real OpenTelemetry tracer (sdk-trace-node and
 * an in-memory exporter): command spans, their attributes, parents, errors, batches, the sampler.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR_DB_QUERY_TEXT, sanitise, semconv, TracingHook } from '../../instrumentation/index.js';
import { REDACTED } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useRedis } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const fixture = useRedis();
let exporter: InMemorySpanExporter;
let provider: NodeTracerProvider;

afterEach(async () => {
  await provider?.shutdown();
  trace.disable();
  context.disable();
});

function tracing(options: ConstructorParameters<typeof TracingHook>[0] = {}, sampler?: AlwaysOffSampler): TracingHook {
  exporter = new InMemorySpanExporter();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)], ...(sampler && { sampler }) });
  provider.register();
  return new TracingHook({ tracerProvider: provider, ...options });
}

const spans = (name?: string) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);

describe('TracingHook: command spans', () => {
  it('one CLIENT span per command, named by it, with the semconv attributes, under the caller\'s span', async () => {
    const client = await connectedClient({ port: fixture.server.port, db: 2, hooks: [tracing()] });
    const tracer = provider.getTracer('test');
    await tracer.startActiveSpan('caller', async (parent) => {
      await client.set('t:k', 'v');
      parent.end();
    });
    const [set] = spans('SET');
    expect(set).toBeDefined();
    expect(set!.kind).toBe(SpanKind.CLIENT);
    expect(set!.attributes).toEqual({
      [semconv.ATTR_DB_SYSTEM_NAME]: 'redis', [semconv.ATTR_DB_OPERATION_NAME]: 'SET', [semconv.ATTR_DB_NAMESPACE]: '2',
      [semconv.ATTR_SERVER_ADDRESS]: '127.0.0.1', [semconv.ATTR_SERVER_PORT]: fixture.server.port,
      [semconv.ATTR_NETWORK_PEER_ADDRESS]: '127.0.0.1', [semconv.ATTR_NETWORK_PEER_PORT]: fixture.server.port,
    });
    expect(set!.status.code).toBe(SpanStatusCode.UNSET);
    expect(set!.parentSpanContext?.spanId).toBe(spans('caller')[0]!.spanContext().spanId);
    expect(set!.attributes[ATTR_DB_QUERY_TEXT]).toBeUndefined();
  });

  it('a failed command: status ERROR, error.type and db.response.status_code from the server\'s prefix', async () => {
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracing()] });
    await fixture.direct.set('t:string', 'x');
    await expect(client.lPush('t:string', 'y')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    const [span] = spans('LPUSH');
    expect(span!.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(span!.attributes).toMatchObject({ [semconv.ATTR_ERROR_TYPE]: 'WRONGTYPE', [semconv.ATTR_DB_RESPONSE_STATUS_CODE]: 'WRONGTYPE' });
  });

  it('a pipeline and a transaction are one span each, with db.operation.batch.size', async () => {
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracing()] });
    await client.pipeline().set('t:a', '1').get('t:a').exec();
    await client.multi().incr('t:n').incr('t:n').incr('t:n').exec();
    expect(spans('PIPELINE')[0]!.attributes[semconv.ATTR_DB_OPERATION_BATCH_SIZE]).toBe(2);
    expect(spans('MULTI')[0]!.attributes[semconv.ATTR_DB_OPERATION_BATCH_SIZE]).toBe(3);
    for (const batch of [...spans('PIPELINE'), ...spans('MULTI')]) expect(batch.attributes[semconv.ATTR_NETWORK_PEER_PORT]).toBe(fixture.server.port);
    expect(spans('SET')).toEqual([]);
  });

  it('network.peer.* is the address the socket reached, not the name it dialled; a command its connection dropped keeps it', async () => {
    const client = await connectedClient({ host: 'localhost', port: fixture.server.port, hooks: [tracing()] });
    const blocked = client.blPop('t:never', 10).then(() => undefined, (error: unknown) => error);
    let line: string | undefined;
    await waitFor(async () => {
      line = String(await fixture.direct.sendCommand(['CLIENT', 'LIST', 'TYPE', 'normal'])).split('\n').find((l) => l.includes('cmd=blpop'));
      return line !== undefined;
    }, 'BLPOP blocks');
    await fixture.direct.sendCommand(['CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line!)![1]!]);
    expect(await blocked).toBeInstanceOf(Error);
    const [blpop] = spans('BLPOP');
    expect(blpop!.status.code).toBe(SpanStatusCode.ERROR);
    expect(blpop!.attributes).toMatchObject({
      [semconv.ATTR_SERVER_ADDRESS]: 'localhost', [semconv.ATTR_NETWORK_PEER_ADDRESS]: '127.0.0.1', [semconv.ATTR_NETWORK_PEER_PORT]: fixture.server.port,
    });
  });

  it('a TracingHook added to a connected client still has the peer: it comes with each command, not from a creation event', async () => {
    const client = await connectedClient({ port: fixture.server.port });
    client.addHook(tracing());
    await client.get('t:late');
    expect(spans('GET')[0]!.attributes).toMatchObject({ [semconv.ATTR_NETWORK_PEER_ADDRESS]: '127.0.0.1', [semconv.ATTR_NETWORK_PEER_PORT]: fixture.server.port });
  });

  it('queryText: the command, its first argument, ? for the rest', async () => {
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracing({ queryText: true })] });
    await client.set('t:q', 'secret-value', { EX: 10 });
    await client.ping();
    expect(spans('SET')[0]!.attributes[ATTR_DB_QUERY_TEXT]).toBe('SET t:q ? ? ?');
    expect(spans('PING')[0]!.attributes[ATTR_DB_QUERY_TEXT]).toBe('PING');
    const recorded = spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }));
    expect(JSON.stringify(recorded)).not.toContain('secret-value');
  });

  it('sanitise never shows a redacted credential as anything but <redacted>', () => {
    expect(sanitise('AUTH', ['AUTH', REDACTED])).toBe(`AUTH ${REDACTED}`);
    expect(sanitise('HSET', ['HSET', 'h', 'f', 'v'])).toBe('HSET h ? ?');
    expect(sanitise('GET', ['GET', Buffer.from('bk')])).toBe('GET bk');
  });

  it('the sampler decides: with AlwaysOff nothing is exported', async () => {
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracing({}, new AlwaysOffSampler())] });
    await client.set('t:off', 'v');
    expect(spans()).toEqual([]);
  });

  it('maintenanceOnly: no command hooks at all', () => {
    const hook = tracing({ maintenanceOnly: true });
    expect(hook.onCommandStart).toBeUndefined();
    expect(hook.onBatchStart).toBeUndefined();
    expect(typeof hook.onNotificationReceived).toBe('function');
  });
});
