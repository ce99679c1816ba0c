import * as otel from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { semconv } from '../../../instrumentation/index.js';

describe('semconv: the names copied from @opentelemetry/semantic-conventions 1.45.0', () => {
  const stable = [
    'ATTR_DB_SYSTEM_NAME', 'ATTR_DB_OPERATION_NAME', 'ATTR_DB_OPERATION_BATCH_SIZE', 'ATTR_DB_NAMESPACE', 'ATTR_DB_RESPONSE_STATUS_CODE',
    'ATTR_ERROR_TYPE', 'ATTR_SERVER_ADDRESS', 'ATTR_SERVER_PORT', 'ATTR_NETWORK_PEER_ADDRESS', 'ATTR_NETWORK_PEER_PORT', 'METRIC_DB_CLIENT_OPERATION_DURATION',
  ] as const;
  it.each(stable)('%s equals the stable entry', (name) => {
    expect(semconv[name]).toBe((otel as Record<string, unknown>)[name]);
  });
  const fromIncubating = [
    'DB_SYSTEM_NAME_VALUE_REDIS', 'ATTR_DB_CLIENT_CONNECTION_POOL_NAME', 'ATTR_DB_CLIENT_CONNECTION_STATE', 'METRIC_DB_CLIENT_CONNECTION_COUNT',
    'METRIC_DB_CLIENT_CONNECTION_CREATE_TIME', 'METRIC_DB_CLIENT_CONNECTION_WAIT_TIME', 'METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS',
  ] as const;
  it.each(fromIncubating)('%s equals the incubating entry', (name) => {
    expect(semconv[name]).toBe((incubating as Record<string, unknown>)[name]);
  });
});
