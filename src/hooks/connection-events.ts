import type { ConnectionEvents } from '../connection/types.js';
import type { HookChain } from './chain.js';

/**
 * The connection's lifecycle reports, delivered to the hooks that implement them. Each goes by the
 * chain's current table, so a hook added later hears about connections opened before it.
 */
export function connectionEvents(chain: HookChain): ConnectionEvents {
  return {
    dialed: (event) => chain.dispatch('onDial', event),
    handshaken: (event) => chain.dispatch('onHandshake', event),
    created: (event) => chain.dispatch('onConnectionCreated', event),
    closed: (event) => chain.dispatch('onConnectionClosed', event),
  };
}
