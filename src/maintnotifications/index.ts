/**
 * Maintenance notifications: the `maintNotifications` option, the manager a client runs when they
 * are not disabled, and what users' policies see.
 */
export {
  autoHandoffQueueSize, autoMaxWorkers, ENDPOINT_TYPES, EndpointType, MAINT_MODES, MaintMode, resolveMaintNotifications,
  type MaintNotificationsConfig, type MaintNotificationsOptions, type ResolvedEndpointType,
} from './config.js';
export type { BreakerState, BreakerStats } from './circuit-breaker.js';
export { detectEndpointType, isPrivateAddress } from './endpoint-type.js';
export { HandoffError, MaintNotificationsError, NotificationError } from './errors.js';
export {
  MaintNotificationsManager, type ActiveOperation, type ConnectionMaintenanceInfo, type MaintenanceState, type MaintNotifications, type RedirectInfo,
} from './manager.js';
export {
  NOTIFICATION_TYPES, notificationType, parseNotification, type MaintenanceEndNotification, type MaintenanceStartNotification, type MovingNotification,
  type Notification, type NotificationType, type SlotMigratedNotification, type SlotMigratingNotification, type SlotMove,
} from './notification.js';
export type { NotificationContext, NotificationHook, NotificationResult } from './notification-hooks.js';
export { OPT_IN_STEP_NAME, type OptInState } from './opt-in.js';
export type { RelaxationInfo } from './relaxation.js';
