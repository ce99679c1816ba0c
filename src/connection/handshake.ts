import type { ConnectionRole, Endpoint } from './types.js';
import { ReplyError, type CommandArgument, type RespValue } from '../protocol/index.js';

/** What the default handshake needs to know. */
export interface HandshakeOptions {
  /** 3 (RESP3, HELLO 3, with a fallback to RESP2 on servers without HELLO) or 2. */
  protocol: 2 | 3;
  username: string | undefined;
  password: string | undefined;
  /** Sent as CLIENT SETNAME (or HELLO … SETNAME). */
  clientName: string | undefined;
  db: number;
  libName: string;
  libVersion: string;
}

/** The connection being set up, as a handshake step sees it. */
export interface HandshakeContext {
  readonly options: HandshakeOptions;
  readonly endpoint: Endpoint;
  readonly connectionId: number;
  readonly role: ConnectionRole;
  /** Whether the socket is TLS. */
  readonly tls: boolean;
  /** The protocol in use; the HELLO step sets it to 2 when it falls back. */
  protocol: 2 | 3;
  /**
   * This step's own slot for this connection: what it stores here is kept with the connection
   * (`Connection.handshakeState(step)`), e.g. whether an opt-in was accepted.
   */
  state: unknown;
  /** Sends one command on this connection, before anyone else can use it. */
  send(args: readonly CommandArgument[]): Promise<RespValue>;
  /**
   * Marks this step as having done nothing on purpose; `HandshakeEvent.steps` reports it as
   * skipped with `reason` instead of hiding it.
   */
  skip(reason: string): void;
}

/**
 * One step of connection setup. Steps run in order, each after the previous succeeded; a step
 * that throws fails the connection. Later releases add their own (e.g. the maintenance
 * notifications opt-in) by appending steps, without touching these.
 */
export interface HandshakeStep {
  readonly name: string;
  run(context: HandshakeContext): Promise<void>;
}

/** HELLO 3 [AUTH user pass] [SETNAME name]; falls back to AUTH + CLIENT SETNAME on RESP2 servers. */
export const helloStep: HandshakeStep = {
  name: 'HELLO',
  async run(context) {
    const { options } = context;
    if (options.protocol === 3) {
      const args: CommandArgument[] = ['HELLO', '3'];
      if (options.password !== undefined) args.push('AUTH', options.username ?? 'default', options.password);
      if (options.clientName !== undefined) args.push('SETNAME', options.clientName);
      try {
        await context.send(args);
        context.protocol = 3;
        return;
      } catch (error) {
        // Only "this server has no HELLO / no RESP3" falls back; bad credentials must not.
        if (!(error instanceof ReplyError) || (error.code !== 'NOPROTO' && !/unknown command/i.test(error.message))) {
          throw error;
        }
      }
    }
    context.protocol = 2;
    if (options.password !== undefined) {
      await context.send(options.username !== undefined ? ['AUTH', options.username, options.password] : ['AUTH', options.password]);
    }
    if (options.clientName !== undefined) await context.send(['CLIENT', 'SETNAME', options.clientName]);
  },
};

export const selectStep: HandshakeStep = {
  name: 'SELECT',
  async run(context) {
    if (context.options.db !== 0) await context.send(['SELECT', context.options.db]);
  },
};

/** CLIENT SETINFO LIB-NAME/LIB-VER. Servers before 7.2 reject it; that is not a failure. */
export const libraryInfoStep: HandshakeStep = {
  name: 'CLIENT SETINFO',
  async run(context) {
    const { libName, libVersion } = context.options;
    await Promise.allSettled([
      context.send(['CLIENT', 'SETINFO', 'LIB-NAME', libName]),
      context.send(['CLIENT', 'SETINFO', 'LIB-VER', libVersion]),
    ]);
  },
};

export const DEFAULT_HANDSHAKE: readonly HandshakeStep[] = Object.freeze([helloStep, selectStep, libraryInfoStep]);
