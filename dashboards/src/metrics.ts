/**
 * The Prometheus names of MetricsHook's instruments and attributes, derived from the instrument
 * specs the way createPrometheusMetrics (and an OTel Collector) derives them, so a renamed metric
 * breaks the dashboards' generation instead of silently emptying a panel.
 */
import { INSTRUMENTS, prometheusLabel, prometheusName, semconv } from '../../instrumentation/index.js';

const name = (key: keyof typeof INSTRUMENTS): string => prometheusName(INSTRUMENTS[key]);

export const M = {
  operationDuration: name('operationDuration'),
  connections: name('connectionCount'),
  createTime: name('createTime'),
  pendingRequests: name('pendingRequests'),
  waitTime: name('waitTime'),
  relaxedTimeout: name('relaxedTimeout'),
  handoff: name('handoff'),
  closed: name('closed'),
  errors: name('errors'),
  notifications: name('notifications'),
  notificationDuration: name('notificationDuration'),
  handoffDuration: name('handoffDuration'),
  handoffOutcomes: name('handoffOutcomes'),
  handoffQueue: name('handoffQueue'),
  handoffActive: name('handoffActive'),
  breakerState: name('breakerState'),
} as const;

export const L = {
  command: prometheusLabel(semconv.ATTR_DB_OPERATION_NAME),
  serverAddress: prometheusLabel(semconv.ATTR_SERVER_ADDRESS),
  serverPort: prometheusLabel(semconv.ATTR_SERVER_PORT),
  pool: prometheusLabel(semconv.ATTR_DB_CLIENT_CONNECTION_POOL_NAME),
  state: prometheusLabel(semconv.ATTR_DB_CLIENT_CONNECTION_STATE),
  errorType: prometheusLabel(semconv.ATTR_ERROR_TYPE),
  errorCategory: prometheusLabel(semconv.ATTR_REDIS_CLIENT_ERRORS_CATEGORY),
  notification: prometheusLabel(semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION),
  notificationOutcome: prometheusLabel(semconv.ATTR_REDIS_CLIENT_MAINTENANCE_OUTCOME),
  handoffOutcome: prometheusLabel(semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME),
  closeReason: prometheusLabel(semconv.ATTR_REDIS_CLIENT_CONNECTION_CLOSE_REASON),
  breakerEndpoint: prometheusLabel(semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_ENDPOINT),
  breakerState: prometheusLabel(semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_STATE),
} as const;

/** The dashboards' filters: `$job` and `$instance` everywhere, `$server` where a metric has a server. */
export function selector(options: { server?: boolean; extra?: string } = {}): string {
  const matchers = ['job=~"$job"', 'instance=~"$instance"'];
  if (options.server !== false) matchers.push(`${L.serverAddress}=~"$server"`);
  if (options.extra !== undefined) matchers.push(options.extra);
  return `{${matchers.join(', ')}}`;
}

/** `histogram_quantile` over a histogram's rate, per the given labels. */
export function quantile(q: number, histogram: string, by: readonly string[], filter: string): string {
  return `histogram_quantile(${q}, sum by (le${by.map((l) => `, ${l}`).join('')}) (rate(${histogram}_bucket${filter}[$__rate_interval])))`;
}
