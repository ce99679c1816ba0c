import net from 'node:net';
import tls from 'node:tls';
import { Decoder, encodeCommands, type CommandArgument, type ProtocolError, type RespValue } from '../../../src/protocol/index.js';
import { waitFor } from '../../helpers/wait.js';

/** One thing the client received, in arrival order. */
export type Received = { kind: 'reply'; value: RespValue } | { kind: 'push'; value: RespValue[] };

/**
 * A bare RESP client over a raw socket: writes exactly what a test pipelines and records every
 * frame in arrival order, so tests can see where pushes landed relative to replies.
 */
export class RawClient {
  readonly received: Received[] = [];
  readonly errors: ProtocolError[] = [];
  readonly socket: net.Socket;
  closed = false;
  readonly #decoder: Decoder;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.#decoder = new Decoder({
      onReply: (value) => this.received.push({ kind: 'reply', value }),
      onPush: (value) => this.received.push({ kind: 'push', value }),
      onError: (error) => this.errors.push(error),
    });
    socket.on('data', (chunk) => this.#decoder.feed(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Over TLS; rejects with the TLS error when the certificate is not trusted for `host`. */
  static connectTls(host: string, port: number, options: tls.ConnectionOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ ...options, host, port });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  get replies(): RespValue[] {
    return this.received.flatMap((r) => (r.kind === 'reply' ? [r.value] : []));
  }

  get pushes(): RespValue[][] {
    return this.received.flatMap((r) => (r.kind === 'push' ? [r.value] : []));
  }

  /** Pushes whose first element is `kind` (e.g. 'MIGRATING'). */
  pushesOf(kind: string): RespValue[][] {
    return this.pushes.filter((p) => p[0] === kind);
  }

  send(...commands: CommandArgument[][]): void {
    this.socket.write(encodeCommands(commands));
  }

  /** Sends commands and resolves with their replies once that many more replies arrived. */
  async call(...commands: CommandArgument[][]): Promise<RespValue[]> {
    const before = this.replies.length;
    this.send(...commands);
    await this.waitReplies(before + commands.length);
    return this.replies.slice(before, before + commands.length);
  }

  waitReplies(count: number, timeoutMs = 10_000): Promise<void> {
    return waitFor(() => this.replies.length >= count, `${count} replies (have ${this.replies.length})`, timeoutMs);
  }

  waitPush(kind: string, count = 1, timeoutMs = 10_000): Promise<void> {
    return waitFor(() => this.pushesOf(kind).length >= count, `${count} ${kind} push(es)`, timeoutMs);
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return waitFor(() => this.closed, 'the socket to close', timeoutMs);
  }

  /** HELLO 3 and the maintenance opt-in (or none when `endpointType` is null). */
  async handshake(endpointType?: string | null): Promise<void> {
    const commands: CommandArgument[][] = [['HELLO', '3']];
    if (endpointType !== null) {
      commands.push(endpointType === undefined
        ? ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON']
        : ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', endpointType]);
    }
    const replies = await this.call(...commands);
    if (endpointType !== null && replies[1] !== 'OK') throw new Error(`opt-in failed: ${String(replies[1])}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
