/**
 * createMetricProducer against a real redis-server and a real OpenTelemetry SDK: one client
 * carries both a MetricsHook recording into sdk-metrics (the pure-API path) and a producer hook,
 * so both see the same events, and the producer's data, collected by an SDK MetricReader, must
 * equal what the SDK aggregated itself: names, descriptions, units, types, attributes, bucket
 * counts, sums, minimums and maximums.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricProducer, MetricsHook, semconv, type MetricsHookOptions } from '../../instrumentation/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useRedis } from '../helpers/fixtures.js';
import { testMetrics, type TestMetrics } from '../helpers/otel.js';

const fixture = useRedis();
const made: TestMetrics[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((m) => m.shutdown()));
});

/** A MetricsHook into the SDK and a producer hook with the same options, each with its own reader. */
function bothPaths(options: MetricsHookOptions = {}) {
  const sdk = testMetrics();
  const producer = createMetricProducer(options);
  const fromProducer = testMetrics({ metricProducers: [producer] });
  made.push(sdk, fromProducer);
  // Collected together: both reads finish before any reply can arrive and change a value.
  const compare = () => Promise.all([sdk.comparable(), fromProducer.comparable()]);
  return { hooks: [new MetricsHook({ ...options, meterProvider: sdk.provider }), producer], producer, fromProducer, compare };
}

describe('createMetricProducer', () => {
  it('hands an SDK MetricReader exactly the data the SDK aggregates from the same events', async () => {
    const { hooks, fromProducer, compare } = bothPaths();
    const client = await connectedClient({ port: fixture.server.port, minIdleConns: 1, hooks });
    for (let i = 0; i < 20; i++) await client.set(`mp:${i}`, 'v');
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.get(`mp:${i}`)));
    await fixture.direct.set('mp:string', 'x');
    await expect(client.lPush('mp:string', 'y')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    await client.pipeline().set('mp:p', '1').get('mp:p').exec();
    await client.multi().incr('mp:n').incr('mp:n').exec();
    const popped = client.blPop('mp:list', 0);
    await fixture.direct.lPush('mp:list', 'x');
    await popped;
    const pending = Array.from({ length: 10 }, (_, i) => client.set(`mp:pending:${i}`, 'v'));

    const [expected, actual] = await compare();
    expect(actual).toEqual(expected);
    expect(actual.map((m) => m.descriptor.name)).toEqual(expect.arrayContaining([
      semconv.METRIC_DB_CLIENT_OPERATION_DURATION, semconv.METRIC_DB_CLIENT_CONNECTION_COUNT, semconv.METRIC_DB_CLIENT_CONNECTION_CREATE_TIME,
      semconv.METRIC_DB_CLIENT_CONNECTION_WAIT_TIME, semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS, semconv.METRIC_REDIS_CLIENT_ERRORS,
    ]));
    expect(await fromProducer.sum(semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS)).toBe(10);
    expect(await fromProducer.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'SET' })).toBe(20);

    await Promise.all(pending);
    await client.close();
    const [closedExpected, closedActual] = await compare();
    expect(closedActual).toEqual(closedExpected);
    expect(await fromProducer.sum(semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS)).toBe(0);
  });

  it('bucket counts, sum, min and max per operation are the SDK\'s, for custom buckets too', async () => {
    const { hooks, compare } = bothPaths({ histogramBuckets: [0.0001, 0.001, 0.01], enabledMetricGroups: ['command'] });
    const client = await connectedClient({ port: fixture.server.port, hooks });
    for (let i = 0; i < 50; i++) await client.ping();
    const [expected, actual] = await compare();
    expect(actual).toEqual(expected);
    const { value } = actual[0]!.dataPoints[0]! as { value: { count: number; buckets: { boundaries: number[]; counts: number[] } } };
    expect(value.count).toBe(50);
    expect(value.buckets.boundaries).toEqual([0.0001, 0.001, 0.01]);
    expect(value.buckets.counts.reduce((a, b) => a + b, 0)).toBe(50);
  });

  it('reports nothing before anything happened, as the SDK does', async () => {
    const { resourceMetrics, errors } = await createMetricProducer({ enabledMetricGroups: ['command'] }).collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.scopeMetrics).toEqual([]);
  });

  it('rejects the options MetricsHook rejects', () => {
    expect(() => createMetricProducer({ histogramBuckets: [] })).toThrow(/increasing positive seconds/);
    expect(() => createMetricProducer({ enabledMetricGroups: ['nope' as 'command'] })).toThrow(/unknown metric group "nope"/);
  });
});
