/**
 * "Redis client": the command path and the connections behind it. Ops/s and latency by command,
 * errors by type, connections by state and node, connection create time, pending requests and
 * lease waits.
 */
import type { Dashboard } from './grafana.js';
import { hitlessDashboard } from './hitless-dashboard.js';
import { L, M, quantile, selector } from './metrics.js';

const all = selector();
const noServer = selector({ server: false });
const ops = `${M.operationDuration}_count`;

export const clientDashboard: Dashboard = hitlessDashboard({
  uid: 'hitless-redis-client',
  title: 'Redis client (hitless)',
  description: 'Commands, errors and connections of hitless clients, from MetricsHook or createPrometheusMetrics.',
  tags: ['redis', 'hitless'],
  jobSeries: ops,
  serverSeries: ops,
  annotations: [],
  sections: [
    {
      row: 'Overview',
      panels: [
        { title: 'Commands per second', description: 'Every command, all clients selected.', unit: 'ops', stat: true, width: 6, queries: [{ expr: `sum(rate(${ops}${all}[$__rate_interval]))`, legend: 'ops/s' }] },
        {
          title: 'Failed commands', description: 'The share of commands that ended in an error (server errors included).', unit: 'percentunit', stat: true, width: 6,
          queries: [{ expr: `sum(rate(${ops}${selector({ extra: `${L.errorType}!=""` })}[$__rate_interval])) / sum(rate(${ops}${all}[$__rate_interval]))`, legend: 'failed' }],
        },
        { title: 'Latency p99', description: 'Over every command.', unit: 's', stat: true, width: 6, queries: [{ expr: quantile(0.99, M.operationDuration, [], all), legend: 'p99' }] },
        { title: 'Connections open', description: 'Idle and in use, every node.', unit: 'short', stat: true, width: 6, queries: [{ expr: `sum(${M.connections}${all})`, legend: 'connections' }] },
      ],
    },
    {
      row: 'Commands',
      panels: [
        { title: 'Commands per second by command', description: 'db.client.operation.duration count rate, by db.operation.name.', unit: 'ops', stacked: true, queries: [{ expr: `sum by (${L.command}) (rate(${ops}${all}[$__rate_interval]))`, legend: `{{${L.command}}}` }] },
        { title: 'Errors by type', description: 'redis.client.errors by error.type (the server\'s error prefix, or our error code) and category.', unit: 'ops', stacked: true, queries: [{ expr: `sum by (${L.errorType}, ${L.errorCategory}) (rate(${M.errors}${all}[$__rate_interval]))`, legend: `{{${L.errorType}}} ({{${L.errorCategory}}})` }] },
        { title: 'Latency p50 by command', description: 'From the db.client.operation.duration histogram.', unit: 's', queries: [{ expr: quantile(0.5, M.operationDuration, [L.command], all), legend: `{{${L.command}}}` }] },
        { title: 'Latency p99 by command', description: 'From the db.client.operation.duration histogram.', unit: 's', queries: [{ expr: quantile(0.99, M.operationDuration, [L.command], all), legend: `{{${L.command}}}` }] },
      ],
    },
    {
      row: 'Connections',
      panels: [
        { title: 'Connections by state', description: 'db.client.connection.count: idle or used, per node. A handoff moves them from one node to the next.', unit: 'short', stacked: true, queries: [{ expr: `sum by (${L.serverAddress}, ${L.serverPort}, ${L.state}) (${M.connections}${all})`, legend: `{{${L.serverAddress}}}:{{${L.serverPort}}} {{${L.state}}}` }] },
        { title: 'Pending requests', description: 'Commands written or queued and not answered yet.', unit: 'short', queries: [{ expr: `sum by (instance) (${M.pendingRequests}${noServer})`, legend: '{{instance}}' }] },
        {
          title: 'Connection create time (since the client started)', description: 'Dial and handshake, p50 and p99 over every connection created so far: connections are made rarely, so a rate would miss most of them.', unit: 's',
          queries: [
            { expr: `histogram_quantile(0.5, sum by (le, ${L.serverAddress}, ${L.serverPort}) (${M.createTime}_bucket${all}))`, legend: `p50 {{${L.serverAddress}}}:{{${L.serverPort}}}` },
            { expr: `histogram_quantile(0.99, sum by (le, ${L.serverAddress}, ${L.serverPort}) (${M.createTime}_bucket${all}))`, legend: `p99 {{${L.serverAddress}}}:{{${L.serverPort}}}` },
          ],
        },
        { title: 'Lease wait (since the client started)', description: 'db.client.connection.wait_time, p50 and p99: how long blocking commands, transactions and subscriptions waited for a connection of their own.', unit: 's', queries: [{ expr: `histogram_quantile(0.5, sum by (le) (${M.waitTime}_bucket${all}))`, legend: 'p50' }, { expr: `histogram_quantile(0.99, sum by (le) (${M.waitTime}_bucket${all}))`, legend: 'p99' }] },
        { title: 'Connections closed by reason', description: 'redis.client.connection.closed per reason (handoff, error, close, ...).', unit: 'short', bars: true, width: 24, queries: [{ expr: `sum by (${L.closeReason}) (increase(${M.closed}${all}[$__rate_interval]))`, legend: `{{${L.closeReason}}}` }] },
      ],
    },
  ],
});
