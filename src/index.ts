/**
 * hitless: a Redis client for Node.js where planned maintenance causes no errors.
 *
 *   import { createClient } from 'hitless';
 *   const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 */
export * from './client/index.js';
export { ClientClosedError, ConfigError, HitlessError, InvalidArgumentError } from './errors.js';
export { ConnectionError, TimeoutError, type HandshakeContext, type HandshakeStep } from './connection/index.js';
export { PoolTimeoutError, type BackoffOptions, type ConnectionInfo, type ReconnectStrategy } from './pool/index.js';
export { ProtocolError, ReplyError, type CommandArgument, type RespMap, type RespValue } from './protocol/index.js';
export { CLIENT_LIBRARY, HOOK_MEMBERS, REDACTED, type Hook, type HookMember } from './hooks/index.js';
export {
  EndpointType, HandoffError, MaintMode, MaintNotificationsError, NOTIFICATION_TYPES, NotificationError, type ActiveOperation, type BreakerState,
  type BreakerStats, type ConnectionMaintenanceInfo, type MaintenanceState, type MaintNotifications, type MaintNotificationsOptions,
  type Notification, type NotificationContext, type NotificationHook, type NotificationResult, type NotificationType, type RedirectInfo,
  type RelaxationInfo,
} from './maintnotifications/index.js';
export type * from './hooks/events.js';
export { VERSION } from './version.js';
