/**
 * Metric and attribute names: the OpenTelemetry database semantic conventions and the Redis client
 * observability spec v0.2. Copied rather than imported, so that `hitless/instrumentation` needs no
 * package at run time and the incubating names cannot change under a minor version; a unit test
 * holds the OTel ones equal to @opentelemetry/semantic-conventions 1.45.0.
 */

// Stable OTel attributes.
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_NETWORK_PEER_ADDRESS = 'network.peer.address';
export const ATTR_NETWORK_PEER_PORT = 'network.peer.port';
/** The value of `db.system.name` (incubating in OTel). */
export const DB_SYSTEM_NAME_VALUE_REDIS = 'redis';

// Incubating OTel connection attributes and metrics.
export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name';
export const ATTR_DB_CLIENT_CONNECTION_STATE = 'db.client.connection.state';

export const METRIC_DB_CLIENT_OPERATION_DURATION = 'db.client.operation.duration';
export const METRIC_DB_CLIENT_CONNECTION_COUNT = 'db.client.connection.count';
export const METRIC_DB_CLIENT_CONNECTION_CREATE_TIME = 'db.client.connection.create_time';
export const METRIC_DB_CLIENT_CONNECTION_WAIT_TIME = 'db.client.connection.wait_time';
export const METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS = 'db.client.connection.pending_requests';

// The Redis client observability spec v0.2.
export const ATTR_REDIS_CLIENT_LIBRARY = 'redis.client.library';
export const ATTR_REDIS_CLIENT_ERRORS_CATEGORY = 'redis.client.errors.category';
export const ATTR_REDIS_CLIENT_ERRORS_INTERNAL = 'redis.client.errors.internal';
export const ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS = 'redis.client.operation.retry_attempts';
export const ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION = 'redis.client.connection.notification';
export const ATTR_REDIS_CLIENT_CONNECTION_CLOSE_REASON = 'redis.client.connection.close.reason';
export const ATTR_REDIS_CLIENT_CONNECTION_PUBSUB = 'redis.client.connection.pubsub';

export const METRIC_REDIS_CLIENT_ERRORS = 'redis.client.errors';
export const METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATIONS = 'redis.client.maintenance.notifications';
export const METRIC_REDIS_CLIENT_CONNECTION_RELAXED_TIMEOUT = 'redis.client.connection.relaxed_timeout';
export const METRIC_REDIS_CLIENT_CONNECTION_HANDOFF = 'redis.client.connection.handoff';
export const METRIC_REDIS_CLIENT_CONNECTION_CLOSED = 'redis.client.connection.closed';

// Ours, where the spec has nothing (under redis.client.*).
export const ATTR_REDIS_CLIENT_MAINTENANCE_OUTCOME = 'redis.client.maintenance.outcome';
export const ATTR_REDIS_CLIENT_HANDOFF_OUTCOME = 'redis.client.connection.handoff.outcome';
export const ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_ENDPOINT = 'redis.client.circuit_breaker.endpoint';
export const ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_STATE = 'redis.client.circuit_breaker.state';

/** How long a notification took to handle (policies included), by type and outcome. */
export const METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATION_DURATION = 'redis.client.maintenance.notification.duration';
/** How long a handoff took from its MOVING to its end, by outcome. */
export const METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_DURATION = 'redis.client.connection.handoff.duration';
/** Handoff steps that end or repeat one: succeeded, failed, retried, refused. */
export const METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_OUTCOMES = 'redis.client.connection.handoff.outcomes';
/** Handoffs waiting for a worker (as the latest handoff event reported). */
export const METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_QUEUE = 'redis.client.connection.handoff.queue';
/** Handoffs dialling or handshaking now (as the latest handoff event reported). */
export const METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_ACTIVE = 'redis.client.connection.handoff.active';
/** 1 for each handoff circuit breaker in the state named by its attribute, 0 for its other states. */
export const METRIC_REDIS_CLIENT_CIRCUIT_BREAKER_STATE = 'redis.client.circuit_breaker.state';
