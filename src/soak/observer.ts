/** A hook counting what the client saw: maintenance notifications by type, handoff steps by stage. */
import type { Hook } from '../hooks/index.js';

export interface Observed {
  readonly notifications: Record<string, number>;
  readonly handoffs: Record<string, number>;
}

export function observer(): { hook: Hook; observed: Observed } {
  const observed: Observed = { notifications: {}, handoffs: {} };
  const hook: Hook = {
    onNotificationReceived: (event) => void (observed.notifications[event.type] = (observed.notifications[event.type] ?? 0) + 1),
    onHandoff: (event) => void (observed.handoffs[event.stage] = (observed.handoffs[event.stage] ?? 0) + 1),
  };
  return { hook, observed };
}
