/**
 * Notification hooks: users' policies around maintenance, with go-redis's PreHook/PostHook
 * semantics. Pre-hooks run in registration order before the handler and may rewrite the
 * notification (the next hook and the handler see the rewrite) or stop it (then no handler and no
 * post-hook runs). Post-hooks all run after the handler, with its outcome. A hook that throws is
 * isolated like every hook (counted, reported once through the client's `hookError` event) and
 * treated as "continue unchanged".
 *
 * Only valid notifications reach these hooks; a malformed one is reported through the client's
 * `onNotificationHandled` hook event with outcome `invalid`.
 */
import type { ConnectionRole, Endpoint } from '../connection/index.js';
import type { HookChain, NotificationOutcome } from '../hooks/index.js';
import type { RespValue } from '../protocol/index.js';
import type { Notification, NotificationType } from './notification.js';

/** Where a notification arrived. */
export interface NotificationContext {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly role: ConnectionRole;
  /** The frame as decoded. */
  readonly frame: readonly RespValue[];
}

/** What the handler did. */
export interface NotificationResult {
  readonly outcome: Exclude<NotificationOutcome, 'stopped' | 'invalid'>;
  readonly detail: string | undefined;
  readonly error: Error | undefined;
  /** Milliseconds from arrival to the end of the handler. */
  readonly duration: number;
}

export interface NotificationHook {
  /** Shown in `hookError` events and counts; defaults to the class name. */
  readonly name?: string;
  /**
   * Before the handler. Return `false` to stop the notification, a notification of the same type
   * to rewrite it (e.g. another MOVING endpoint; allowedEndpoints still applies), or nothing to
   * let it through unchanged.
   */
  preHook?(context: NotificationContext, type: NotificationType, notification: Notification): Notification | false | void;
  /** After the handler, with what it did. */
  postHook?(context: NotificationContext, type: NotificationType, notification: Notification, result: NotificationResult): void;
}

/** Runs the pre-hooks; returns the notification to handle, or the hook that stopped it. */
export function runPreHooks(
  hooks: readonly NotificationHook[], chain: HookChain, context: NotificationContext, notification: Notification,
): { notification: Notification; stoppedBy: undefined } | { notification: Notification; stoppedBy: NotificationHook } {
  let current = notification;
  for (const hook of hooks) {
    if (typeof hook.preHook !== 'function') continue;
    let verdict: Notification | false | void;
    try {
      verdict = hook.preHook(context, current.type, current);
    } catch (error) {
      chain.fail(hook, 'preHook', error);
      continue;
    }
    if (verdict === false) return { notification: current, stoppedBy: hook };
    if (isSameType(verdict, current)) current = verdict;
  }
  return { notification: current, stoppedBy: undefined };
}

export function runPostHooks(
  hooks: readonly NotificationHook[], chain: HookChain, context: NotificationContext, notification: Notification, result: NotificationResult,
): void {
  for (const hook of hooks) {
    if (typeof hook.postHook !== 'function') continue;
    try {
      hook.postHook(context, notification.type, notification, result);
    } catch (error) {
      chain.fail(hook, 'postHook', error);
    }
  }
}

/** A rewrite must stay a notification of the same type; anything else is ignored. */
function isSameType(value: unknown, current: Notification): value is Notification {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === current.type;
}
