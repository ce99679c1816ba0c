/**
 * The handshake step that asks the server for maintenance notifications:
 * `CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <type>`, after HELLO 3 (push frames need
 * RESP3) and before the rest of the handshake, so a window the server replays right after the
 * `+OK` already reaches the connection's push handler.
 *
 * `enabled`: a RESP2-only server or a refusal fails the connection with a MaintNotificationsError.
 * `auto`: either one is a quiet fallback for that server alone (the step shows as skipped in the
 * handshake event, and the fallback is reported once per server); later connections to that
 * server do not ask again, other servers are asked on their own.
 */
import type { Endpoint, HandshakeContext, HandshakeStep } from '../connection/index.js';
import { ReplyError } from '../protocol/index.js';
import type { MaintMode, ResolvedEndpointType } from './config.js';
import { MaintNotificationsError } from './errors.js';
import { endpointKey } from './interfaces.js';

/** What the step keeps for each connection (`Connection.handshakeState(step)`). */
export interface OptInState {
  readonly optedIn: boolean;
  readonly endpointType: ResolvedEndpointType | undefined;
}

export interface OptInHost {
  readonly mode: Exclude<MaintMode, 'disabled'>;
  /** The endpoint type to ask for (auto-detected once, from the configured address). */
  endpointType(): Promise<ResolvedEndpointType>;
  /** Whether `server` already showed it lacks the feature (auto mode asks no more). */
  lacksFeature(server: Endpoint): boolean;
  /** `server` lacks the feature; `auto` carries on without it there. */
  fellBack(context: HandshakeContext, reason: string, error: Error | undefined): void;
}

export const OPT_IN_STEP_NAME = 'CLIENT MAINT_NOTIFICATIONS';

export function optInStep(host: OptInHost): HandshakeStep {
  return {
    name: OPT_IN_STEP_NAME,
    async run(context) {
      const server = endpointKey(context.endpoint);
      // Configured for RESP2: nothing to learn about the server, which was never asked for RESP3.
      if (context.options.protocol === 2) return skip(context, 'protocol 2 is configured, and notifications are RESP3 push frames');
      if (context.protocol !== 3) {
        const reason = `${server} speaks RESP2 only (HELLO 3 was refused), and notifications are RESP3 push frames`;
        if (host.mode === 'enabled') throw new MaintNotificationsError(`maintNotifications "enabled" cannot be honoured: ${reason}`, 'ERR_MAINT_RESP2');
        host.fellBack(context, reason, undefined);
        return skip(context, reason);
      }
      if (host.mode === 'auto' && host.lacksFeature(context.endpoint)) return skip(context, `${server} refused them before`);
      const endpointType = await host.endpointType();
      try {
        await context.send(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', endpointType]);
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        const reason = `${server} refused CLIENT MAINT_NOTIFICATIONS: ${error.message}`;
        if (host.mode === 'enabled') throw new MaintNotificationsError(`maintNotifications "enabled" cannot be honoured: ${reason}`, 'ERR_MAINT_REFUSED', { cause: error });
        host.fellBack(context, reason, error);
        return skip(context, reason);
      }
      context.state = { optedIn: true, endpointType } satisfies OptInState;
    },
  };
}

function skip(context: HandshakeContext, reason: string): void {
  context.state = { optedIn: false, endpointType: undefined } satisfies OptInState;
  context.skip(reason);
}
