/**
 * `hitless/simulator`: a RESP proxy that behaves like a Redis Enterprise endpoint during
 * maintenance, in front of real redis-servers, with HTTP control APIs compatible with Redis's
 * fault injector and cae-resp-proxy.
 */
export { Simulator } from './simulator.js';
export { validateFrames } from './frames.js';
export type { SimulatorOptions } from './simulator.js';
export type {
  ActionControl, DefaultInterceptor, InterceptorControl, MovingOptions, RelaxOptions, ScenarioControl, SendResult, SimulatorControl,
  SmigrateOptions,
} from './control.js';
export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export type { ProxyDefaults } from './types.js';
export type { InterceptorStats } from './interceptors.js';
export {
  failedOverFrame, failingOverFrame, formatSlots, migratedFrame, migratingFrame, movingFrame, parseSlots, smigratedFrame,
  smigratingFrame, type NotificationKind, type SlotMove,
} from './notifications.js';
export {
  DEFAULT_TIMINGS, ENDPOINT_TYPES, type ActionRecord, type ActionStatus, type ConnectionInfo, type EndpointType, type HostPort,
  type NodeFaults, type NodeInfo, type NodeOptions, type NodeTlsOptions, type ScenarioResult, type ScenarioTimings,
} from './types.js';
