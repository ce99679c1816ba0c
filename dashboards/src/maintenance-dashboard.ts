/**
 * "Redis maintenance": what a maintenance window did to the clients. Notifications by type and
 * their processing time, handoffs by outcome and duration, connections relaxed now, the handoff
 * queue and workers, circuit breakers by endpoint, connections per node, and an annotation at
 * every notification and every failed handoff.
 */
import { annotation, type Dashboard } from './grafana.js';
import { hitlessDashboard } from './hitless-dashboard.js';
import { L, M, selector } from './metrics.js';

const all = selector();
const noServer = selector({ server: false });
const byServer = `${L.serverAddress}, ${L.serverPort}`;
const server = `{{${L.serverAddress}}}:{{${L.serverPort}}}`;

/** Quantiles over every observation so far: notifications and handoffs are too rare for a rate. */
const cumulativeQuantile = (q: number, histogram: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (${histogram}_bucket${all}))`;

export const maintenanceDashboard: Dashboard = hitlessDashboard({
  uid: 'hitless-redis-maintenance',
  title: 'Redis maintenance (hitless)',
  description: 'Maintenance notifications (MOVING, MIGRATING, FAILING_OVER, ...), relaxed timeouts and handoffs of hitless clients.',
  tags: ['redis', 'hitless', 'maintenance'],
  jobSeries: M.handoffQueue,
  serverSeries: M.notifications,
  annotations: [
    annotation(
      'Maintenance notifications', 'orange',
      `sum by (${L.notification}, ${byServer}) (increase(${M.notifications}${all}[$__rate_interval])) > 0`,
      `{{${L.notification}}}`, `from ${server}`,
    ),
    annotation(
      'Failed handoffs', 'red',
      `sum by (${byServer}) (increase(${M.handoffOutcomes}${selector({ extra: `${L.handoffOutcome}="failed"` })}[$__rate_interval])) > 0`,
      'handoff failed', `from ${server}`,
    ),
  ],
  sections: [
    {
      row: 'Now',
      panels: [
        { title: 'Connections relaxed now', description: 'Connections whose timeouts are relaxed by a maintenance notification (redis.client.connection.relaxed_timeout). Back to 0 after every window.', unit: 'short', stat: true, width: 6, queries: [{ expr: `sum(${M.relaxedTimeout}${all})`, legend: 'relaxed' }] },
        { title: 'Handoffs waiting or dialling', description: 'The handoff queue and the handoffs in progress now.', unit: 'short', stat: true, width: 6, queries: [{ expr: `sum(${M.handoffQueue}${noServer}) + sum(${M.handoffActive}${noServer})`, legend: 'handoffs' }] },
        { title: 'Circuit breakers open', description: 'Endpoints whose handoff circuit breaker is open: no new connection is sent there.', unit: 'short', stat: true, width: 6, queries: [{ expr: `sum(${M.breakerState}${selector({ server: false, extra: `${L.breakerState}="open"` })})`, legend: 'open' }] },
        { title: 'Notifications in range', description: 'Maintenance notifications received in the dashboard\'s time range.', unit: 'short', stat: true, width: 6, queries: [{ expr: `sum(increase(${M.notifications}${all}[$__range]))`, legend: 'notifications' }] },
      ],
    },
    {
      row: 'Notifications',
      panels: [
        { title: 'Notifications by type', description: 'redis.client.maintenance.notifications per interval, by type.', unit: 'short', bars: true, stacked: true, queries: [{ expr: `sum by (${L.notification}) (increase(${M.notifications}${all}[$__rate_interval]))`, legend: `{{${L.notification}}}` }] },
        {
          title: 'Notification processing time (since the client started)', description: 'Parsing, policies and handling of each notification, p50 and p99 by type.', unit: 's',
          queries: [
            { expr: cumulativeQuantile(0.5, M.notificationDuration, L.notification), legend: `p50 {{${L.notification}}}` },
            { expr: cumulativeQuantile(0.99, M.notificationDuration, L.notification), legend: `p99 {{${L.notification}}}` },
          ],
        },
        { title: 'Notifications by outcome', description: 'handled, ignored (a duplicate or stale seq), refused (by a policy or allowedEndpoints), invalid (malformed).', unit: 'short', stacked: true, queries: [{ expr: `sum by (${L.notificationOutcome}) (${M.notificationDuration}_count${all})`, legend: `{{${L.notificationOutcome}}}` }] },
        { title: 'Relaxed connections by reason', description: 'Connections relaxed now, per notification that relaxed them (HANDOFF: the window after a handoff) and node.', unit: 'short', stacked: true, queries: [{ expr: `sum by (${L.notification}, ${byServer}) (${M.relaxedTimeout}${all})`, legend: `{{${L.notification}}} ${server}` }] },
      ],
    },
    {
      row: 'Handoffs',
      panels: [
        { title: 'Handoffs by outcome', description: 'succeeded, retried, failed (fell back to ordinary reconnection), refused (target not allowed or breaker open).', unit: 'short', bars: true, stacked: true, queries: [{ expr: `sum by (${L.handoffOutcome}) (increase(${M.handoffOutcomes}${all}[$__rate_interval]))`, legend: `{{${L.handoffOutcome}}}` }] },
        {
          title: 'Handoff duration (since the client started)', description: 'From the MOVING to the end of its handoff, p50 and p99 by outcome.', unit: 's',
          queries: [
            { expr: cumulativeQuantile(0.5, M.handoffDuration, L.handoffOutcome), legend: `p50 {{${L.handoffOutcome}}}` },
            { expr: cumulativeQuantile(0.99, M.handoffDuration, L.handoffOutcome), legend: `p99 {{${L.handoffOutcome}}}` },
          ],
        },
        {
          title: 'Handoff queue and workers', description: 'Handoffs waiting for a worker, and handoffs dialling or handshaking now.', unit: 'short',
          queries: [
            { expr: `sum by (instance) (${M.handoffQueue}${noServer})`, legend: 'queued {{instance}}' },
            { expr: `sum by (instance) (${M.handoffActive}${noServer})`, legend: 'active {{instance}}' },
          ],
        },
        { title: 'Circuit breakers by endpoint', description: '1 while an endpoint\'s handoff breaker is open or half-open.', unit: 'short', queries: [{ expr: `max by (${L.breakerEndpoint}, ${L.breakerState}) (${M.breakerState}${selector({ server: false, extra: `${L.breakerState}!="closed"` })})`, legend: `{{${L.breakerEndpoint}}} {{${L.breakerState}}}` }] },
      ],
    },
    {
      row: 'Connections',
      panels: [
        { title: 'Connections per node', description: 'Open connections per Redis node: during a MOVING they move from the old node to the new one.', unit: 'short', stacked: true, queries: [{ expr: `sum by (${byServer}) (${M.connections}${all})`, legend: server }] },
        { title: 'Connections closed by reason', description: 'Per interval: a handoff closes the old connection once drained.', unit: 'short', bars: true, queries: [{ expr: `sum by (${L.closeReason}) (increase(${M.closed}${all}[$__rate_interval]))`, legend: `{{${L.closeReason}}}` }] },
      ],
    },
  ],
});
