/**
 * Wires maintenance notifications into a client: the manager, its opt-in step in every
 * connection's handshake (after HELLO and SELECT, before CLIENT SETINFO), its push interception on
 * every connection, and its redirects of new connections during a MOVING window. With
 * `mode: 'disabled'` none of it exists: no step, no interception, no DNS lookup.
 */
import { selectStep, type ConnectionTemplate, type Endpoint } from '../connection/index.js';
import type { HookChain } from '../hooks/index.js';
import { MaintNotificationsManager } from '../maintnotifications/index.js';
import type { ResolvedOptions } from './options.js';

export function maintenanceManager(options: ResolvedOptions, hooks: HookChain, configured: Endpoint): MaintNotificationsManager | undefined {
  if (options.maintNotifications.mode === 'disabled') return undefined;
  return new MaintNotificationsManager(options.maintNotifications, { hooks, configured, tls: options.tls !== undefined });
}

/** The connection template with the manager's handshake step and push interception. */
export function withMaintenance(template: ConnectionTemplate, manager: MaintNotificationsManager | undefined): ConnectionTemplate {
  if (manager === undefined) return template;
  const steps = [...template.handshake];
  steps.splice(steps.indexOf(selectStep) + 1, 0, manager.step);
  return { ...template, handshake: steps, interceptPush: manager.interceptPush };
}
