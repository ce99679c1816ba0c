/**
 * One handler per notification type. Each acts on the connection the notification arrived on
 * (the server sends every connection its own copy) and says what it did.
 *
 *   MIGRATING, FAILING_OVER, SMIGRATING   relax that connection's timeouts (a window per type)
 *   MIGRATED, FAILED_OVER, SMIGRATED      end that window (no window: nothing to do)
 *   MOVING                                hand the connection off (see MovingHost)
 */
import type { Connection, Endpoint } from '../connection/index.js';
import type { NotificationOutcome, RelaxationReason } from '../hooks/index.js';
import { MAX_TIMER_MS, type MaintNotificationsConfig } from './config.js';
import type { MovingNotification, Notification } from './notification.js';
import type { Relaxations } from './relaxation.js';

export interface HandlerResult {
  readonly outcome: Exclude<NotificationOutcome, 'stopped' | 'invalid'>;
  readonly detail?: string;
  readonly error?: Error;
}

/** What the handlers need from the manager. */
export interface HandlerHost {
  readonly config: MaintNotificationsConfig;
  relaxations(connection: Connection): Relaxations;
  moving(connection: Connection, notification: MovingNotification): HandlerResult;
}

const ENDS: Record<'MIGRATED' | 'FAILED_OVER' | 'SMIGRATED', RelaxationReason> = {
  MIGRATED: 'MIGRATING', FAILED_OVER: 'FAILING_OVER', SMIGRATED: 'SMIGRATING',
};

/**
 * How long a window stays open without its completion: the announced duration (when the server
 * sends one) plus twice the relaxed timeout, so a command written at the last moment still gets
 * its relaxed time. Never beyond what a timer can wait.
 */
export function windowBackstop(config: MaintNotificationsConfig, timeS: number | undefined): number {
  return Math.min(Math.max(0, timeS ?? 0) * 1000 + 2 * config.relaxedTimeout, MAX_TIMER_MS);
}

export function handle(host: HandlerHost, connection: Connection, notification: Notification): HandlerResult {
  switch (notification.type) {
    case 'MOVING':
      return host.moving(connection, notification);
    case 'MIGRATING':
    case 'FAILING_OVER':
      return relax(host, connection, notification.type, windowBackstop(host.config, notification.timeS));
    case 'SMIGRATING':
      return relax(host, connection, 'SMIGRATING', windowBackstop(host.config, undefined));
    case 'MIGRATED':
    case 'FAILED_OVER':
    case 'SMIGRATED':
      return complete(host, connection, ENDS[notification.type]);
  }
}

function relax(host: HandlerHost, connection: Connection, reason: RelaxationReason, maxDuration: number): HandlerResult {
  if (connection.state === 'closed') return { outcome: 'ignored', detail: 'the connection is closed' };
  host.relaxations(connection).open(reason, host.config.relaxedTimeout, maxDuration);
  return { outcome: 'handled' };
}

function complete(host: HandlerHost, connection: Connection, reason: RelaxationReason): HandlerResult {
  return host.relaxations(connection).close(reason, 'completed')
    ? { outcome: 'handled' }
    : { outcome: 'ignored', detail: `no ${reason} window is open on this connection` };
}

/** A MOVING target a pre-hook may have rewritten: it must still be something one can dial. */
export function dialable(endpoint: Endpoint): boolean {
  return typeof endpoint.host === 'string' && endpoint.host.length > 0 && Number.isInteger(endpoint.port) && endpoint.port > 0 && endpoint.port < 65536;
}
