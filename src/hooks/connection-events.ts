import type { ConnectionEvents } from '../connection/types.js';
import type { HookChain } from './chain.js';

/**
 * The connection's lifecycle reports, delivered to the hooks that implement them. Each looks at
 * the chain's current table, so a hook added later hears about connections opened before it.
 */
export function connectionEvents(chain: HookChain): ConnectionEvents {
  return {
    dialed(event) {
      const hooks = chain.table.onDial;
      if (hooks.length > 0) chain.emit(hooks, 'onDial', event);
    },
    handshaken(event) {
      const hooks = chain.table.onHandshake;
      if (hooks.length > 0) chain.emit(hooks, 'onHandshake', event);
    },
    created(event) {
      const hooks = chain.table.onConnectionCreated;
      if (hooks.length > 0) chain.emit(hooks, 'onConnectionCreated', event);
    },
    closed(event) {
      const hooks = chain.table.onConnectionClosed;
      if (hooks.length > 0) chain.emit(hooks, 'onConnectionClosed', event);
    },
  };
}
