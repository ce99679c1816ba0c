/**
 * MetricsHook against a real redis-server, read through a real OpenTelemetry SDK: names, units,
 * attributes and exact values after scripted work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsHook, semconv } from '../../instrumentation/index.js';
import { CLIENT_LIBRARY, createClient } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { testMetrics, type TestMetrics } from '../helpers/otel.js';
import { useRedis } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const fixture = useRedis();
let metrics: TestMetrics;

afterEach(async () => {
  await metrics?.shutdown();
});

const common = { [semconv.ATTR_DB_SYSTEM_NAME]: 'redis', [semconv.ATTR_REDIS_CLIENT_LIBRARY]: CLIENT_LIBRARY };

async function hooked(options: ConstructorParameters<typeof MetricsHook>[0] = {}, client: Parameters<typeof connectedClient>[0] = { port: fixture.server.port }) {
  metrics = testMetrics();
  const hook = new MetricsHook({ meterProvider: metrics.provider, ...options });
  return { hook, client: await connectedClient({ ...client, hooks: [hook] }) };
}

describe('MetricsHook: commands', () => {
  it('db.client.operation.duration: one data point per command, in seconds, with the semconv attributes', async () => {
    const { client } = await hooked();
    for (let i = 0; i < 5; i++) await client.set(`m:${i}`, 'v');
    await client.get('m:0');
    const set = { ...common, [semconv.ATTR_DB_OPERATION_NAME]: 'SET', [semconv.ATTR_DB_NAMESPACE]: '0', [semconv.ATTR_SERVER_ADDRESS]: '127.0.0.1', [semconv.ATTR_SERVER_PORT]: fixture.server.port, [semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS]: 0 };
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, set)).toBe(5);
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'GET' })).toBe(1);
    const metric = (await metrics.collect()).find((m) => m.descriptor.name === semconv.METRIC_DB_CLIENT_OPERATION_DURATION)!;
    expect(metric.descriptor.unit).toBe('s');
    // server.port is an integer, not a string.
    expect(typeof (await metrics.attributes(semconv.METRIC_DB_CLIENT_OPERATION_DURATION))[0]![semconv.ATTR_SERVER_PORT]).toBe('number');
  });

  it('a server error: error.type and db.response.status_code are the prefix, and redis.client.errors counts it', async () => {
    const { client } = await hooked();
    await fixture.direct.set('m:string', 'x');
    await expect(client.lPush('m:string', 'y')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    const failed = { [semconv.ATTR_DB_OPERATION_NAME]: 'LPUSH', [semconv.ATTR_ERROR_TYPE]: 'WRONGTYPE', [semconv.ATTR_DB_RESPONSE_STATUS_CODE]: 'WRONGTYPE' };
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, failed)).toBe(1);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_ERRORS, {
      ...common, [semconv.ATTR_ERROR_TYPE]: 'WRONGTYPE', [semconv.ATTR_REDIS_CLIENT_ERRORS_CATEGORY]: 'server',
      [semconv.ATTR_REDIS_CLIENT_ERRORS_INTERNAL]: false, [semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS]: 0,
    })).toBe(1);
  });

  it('a pipeline and a transaction are one operation each, with db.operation.batch.size', async () => {
    const { client } = await hooked();
    await client.pipeline().set('m:p1', '1').set('m:p2', '2').get('m:p1').exec();
    await client.multi().incr('m:c').incr('m:c').exec();
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'PIPELINE', [semconv.ATTR_DB_OPERATION_BATCH_SIZE]: 3 })).toBe(1);
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'MULTI', [semconv.ATTR_DB_OPERATION_BATCH_SIZE]: 2 })).toBe(1);
  });

  it('includeCommands / excludeCommands choose which commands are measured', async () => {
    const { client } = await hooked({ excludeCommands: ['get'] });
    await client.set('m:x', '1');
    await client.get('m:x');
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'GET' })).toBe(0);
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'SET' })).toBe(1);
  });

  it('db.client.connection.pending_requests rises while commands wait and is back to 0 after', async () => {
    const { client } = await hooked();
    const replies = Array.from({ length: 50 }, (_, i) => client.set(`m:pending:${i}`, 'v'));
    expect(await metrics.sum(semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS)).toBe(50);
    await Promise.all(replies);
    expect(await metrics.sum(semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS)).toBe(0);
  });
});

describe('MetricsHook: connections', () => {
  it('db.client.connection.count by state follows leases and the pool; create_time once per connection; wait_time per lease', async () => {
    const { client } = await hooked({}, { port: fixture.server.port, minIdleConns: 1 });
    const count = (state: string): Promise<number> => metrics.sum(semconv.METRIC_DB_CLIENT_CONNECTION_COUNT, { [semconv.ATTR_DB_CLIENT_CONNECTION_STATE]: state });
    await waitFor(async () => (await count('idle')) === 1, 'one idle connection');
    expect(await count('used')).toBe(1);
    const popped = client.blPop('m:list', 0);
    await waitFor(async () => (await count('used')) === 2, 'the lease used');
    await fixture.direct.lPush('m:list', 'x');
    await popped;
    await waitFor(async () => (await count('idle')) === 2 && (await count('used')) === 1, 'the lease back, the refill idle');
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_CONNECTION_CREATE_TIME)).toBe(3);
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_CONNECTION_WAIT_TIME)).toBe(1);
    const pool = { [semconv.ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: `127.0.0.1:${fixture.server.port}` };
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_CONNECTION_CREATE_TIME, { ...common, ...pool })).toBe(3);
    await client.close();
    expect(await count('idle')).toBe(0);
    expect(await count('used')).toBe(0);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_CONNECTION_CLOSED, { ...pool, [semconv.ATTR_REDIS_CLIENT_CONNECTION_CLOSE_REASON]: 'application_close' })).toBe(3);
  });

  it('a refused dial counts as a network error', async () => {
    const server = await startRedis();
    const port = server.port;
    await server.stop();
    metrics = testMetrics();
    const client = createClient({ port, reconnect: false, hooks: [new MetricsHook({ meterProvider: metrics.provider })] });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_ERRORS, { [semconv.ATTR_ERROR_TYPE]: 'ERR_CONNECTION', [semconv.ATTR_REDIS_CLIENT_ERRORS_CATEGORY]: 'network' })).toBe(1);
  });
});

describe('MetricsHook: options', () => {
  it('enabledMetricGroups leaves the other groups\' members undefined, so the chain never calls them', async () => {
    metrics = testMetrics();
    const hook = new MetricsHook({ meterProvider: metrics.provider, enabledMetricGroups: ['resiliency'] });
    expect(hook.onCommandStart).toBeUndefined();
    expect(hook.onConnectionStateChange).toBeUndefined();
    expect(hook.onNotificationReceived).toBeDefined();
    const client = await connectedClient({ port: fixture.server.port, hooks: [hook] });
    await client.set('m:g', 'v');
    expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION)).toBe(0);
  });

  it.each([
    [{ enabledMetricGroups: ['commands'] }, /unknown metric group "commands"/],
    [{ histogramBuckets: [1, 0.5] }, /increasing positive seconds/],
    [{ histogramBuckets: [] }, /increasing positive seconds/],
  ])('rejects %j', (options, message) => {
    expect(() => new MetricsHook({ meterProvider: testMetrics().provider, ...(options as object) })).toThrow(message);
  });

  it('without a meterProvider it uses the global one of @opentelemetry/api', async () => {
    const { metrics: api } = await import('@opentelemetry/api');
    metrics = testMetrics();
    api.setGlobalMeterProvider(metrics.provider);
    try {
      const client = await connectedClient({ port: fixture.server.port, hooks: [new MetricsHook()] });
      await client.set('m:global', 'v');
      expect(await metrics.count(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, { [semconv.ATTR_DB_OPERATION_NAME]: 'SET' })).toBe(1);
    } finally {
      api.disable();
    }
  });
});
