/**
 * `hitless/instrumentation`: hooks that turn the client's events into metrics, spans and logs.
 * MetricsHook, TracingHook, LoggingHook and the Prometheus exporter land in the instrumentation
 * release; today this entry exports the hook contract they are built on, so instrumentation
 * written against it now keeps working.
 */
export { CLIENT_LIBRARY, HOOK_MEMBERS, REDACTED, type Hook, type HookMember } from '../src/hooks/index.js';
export type * from '../src/hooks/events.js';
