import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { FrameSplitter } from '../protocol/index.js';
import { LocalReplies, type LocalReply } from './local-replies.js';
import { trafficLine, type TrafficKind } from './traffic-log.js';
import type { ConnectionInfo, EndpointType, HostPort } from './types.js';

export type { LocalReply } from './local-replies.js';

/**
 * One client connection through a simulated node, with its own upstream connection.
 *
 * Both directions are split into whole RESP frames (FrameSplitter), and only whole frames are
 * ever written to the client, so anything injected (a notification, a local reply) lands between
 * frames by construction. Replies keep their order: a command the proxy answers itself is
 * forwarded as a marker (`PING <token>`) and answered where the upstream's answer to the marker
 * arrives, so the server orders it (see LocalReplies).
 *
 * States: paused (connect delay, upstream connecting) → serving → closed.
 */

/** What the node decides for one client command. */
export type Route = typeof FORWARD | typeof DROP | LocalReply;
export const FORWARD = 0;
export const DROP = 1;

/** What a connection needs from its node (kept narrow so the connection is testable alone). */
export interface ConnectionOwner {
  readonly id: string;
  readonly upstream: HostPort;
  /** `tls.connect` options when the upstream speaks TLS, else undefined. */
  readonly upstreamTls: tls.ConnectionOptions | undefined;
  readonly latencyMs: number;
  readonly connectDelayMs: number;
  readonly blackhole: boolean;
  readonly idleTimeoutMs: number;
  /** Where the `logger` interceptor writes traffic; undefined when it is off (nothing is formatted). */
  readonly trafficLog: ((line: string) => void) | undefined;
  route(connection: ProxyConnection, buffer: Buffer, start: number, end: number): Route;
  closed(connection: ProxyConnection): void;
}

export class ProxyConnection {
  readonly id = `conn_${Date.now()}_${randomBytes(5).toString('hex').slice(0, 9)}`;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly connectedAt = new Date();
  optedIn = false;
  endpointType: EndpointType | undefined;
  commands = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Kinds of the notifications delivered, in order. */
  readonly notifications: string[] = [];
  closed = false;

  readonly #owner: ConnectionOwner;
  readonly #client: net.Socket;
  #upstream: net.Socket | undefined;
  readonly #requests = new FrameSplitter({ inline: true });
  readonly #replies = new FrameSplitter();
  readonly #locals = new LocalReplies();
  readonly #log: ((line: string) => void) | undefined;
  /** Frames for the client, gathered during one event and written together. */
  #out: Buffer[] = [];
  #run: Buffer | undefined;
  #runStart = 0;
  #runEnd = 0;
  #toUpstream: Buffer[] = [];
  #busy = false;
  /** Output held back by the latency knob, in order. */
  #delayed: Array<{ due: number; data: Buffer[] }> = [];
  #delayTimer: NodeJS.Timeout | undefined;
  #endWhenFlushed = false;

  constructor(owner: ConnectionOwner, client: net.Socket) {
    this.#owner = owner;
    this.#client = client;
    this.#log = owner.trafficLog;
    this.clientAddress = client.remoteAddress ?? '';
    this.clientPort = client.remotePort ?? 0;
    this.localAddress = client.localAddress ?? '';
    this.localPort = client.localPort ?? 0;
    this.#log?.(`[simulator] ${owner.id} accepted ${this.id} from ${this.clientAddress}:${this.clientPort}`);
    client.setNoDelay(true);
    client.pause();
    client.on('data', this.#onClientData);
    client.on('error', () => this.close());
    client.on('close', () => this.close());
    if (owner.idleTimeoutMs > 0) {
      client.setTimeout(owner.idleTimeoutMs, () => this.close());
    }
    if (owner.connectDelayMs > 0) {
      setTimeout(() => this.#connectUpstream(), owner.connectDelayMs).unref();
    } else {
      this.#connectUpstream();
    }
  }

  get info(): ConnectionInfo {
    return {
      id: this.id,
      nodeId: this.#owner.id,
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      localAddress: this.localAddress,
      localPort: this.localPort,
      optedIn: this.optedIn,
      endpointType: this.endpointType,
      commands: this.commands,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      connectedAt: this.connectedAt.toISOString(),
      notifications: [...this.notifications],
    };
  }

  get writable(): boolean {
    return !this.closed && this.#client.writable;
  }

  /** Sends whole frames to the client now (between replies), honouring the latency knob. */
  inject(frames: Buffer, kind?: string): void {
    if (this.closed) return;
    if (kind !== undefined) this.notifications.push(kind);
    if (this.#log !== undefined) this.#trace('INJECTED', frames, 0, frames.length);
    this.#closeRun();
    this.#out.push(frames);
    if (!this.#busy) this.#flushClient();
  }

  close(): void {
    this.#close(false);
  }

  /** Closes after what was written reaches the client (destroy() would drop unsent bytes). */
  #endGracefully(): void {
    this.#close(true);
  }

  #close(graceful: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.#log?.(`[simulator] ${this.#owner.id} closed ${this.id}`);
    clearTimeout(this.#delayTimer);
    this.#upstream?.destroy();
    if (graceful) {
      this.#client.end();
      // Read on (and discard) so the client's FIN is seen even if it was paused waiting for the upstream.
      this.#client.resume();
      setTimeout(() => this.#client.destroy(), 1000).unref();
    } else {
      this.#client.destroy();
    }
    this.#owner.closed(this);
  }

  #connectUpstream(): void {
    if (this.closed) return;
    const { host, port } = this.#owner.upstream;
    const secure = this.#owner.upstreamTls;
    // Node verifies the certificate against `host` (an IP needs an IP subjectAltName).
    const upstream = secure === undefined ? net.connect({ host, port }) : tls.connect({ ...secure, host, port });
    this.#upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on(secure === undefined ? 'connect' : 'secureConnect', () => this.#client.resume());
    upstream.on('data', this.#onUpstreamData);
    upstream.on('error', () => this.#upstreamGone());
    upstream.on('close', () => this.#upstreamGone());
  }

  /** The server closed (e.g. after QUIT): deliver what it sent, then end the client side. */
  #upstreamGone(): void {
    if (this.closed) return;
    this.#endWhenFlushed = true;
    if (this.#delayed.length === 0) this.#endGracefully();
  }

  #onClientData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.bytesIn += chunk.length;
    this.#busy = true;
    try {
      this.#requests.feed(chunk, this.#onCommand);
    } catch (err) {
      // Not RESP: answer like Redis does and hang up.
      this.#closeRun();
      this.#out.push(Buffer.from(`-ERR Protocol error: ${(err as Error).message}\r\n`));
      this.#endWhenFlushed = true;
    } finally {
      this.#busy = false;
    }
    if (this.#toUpstream.length > 0 && this.#upstream) {
      const data = this.#toUpstream.length === 1 ? this.#toUpstream[0]! : Buffer.concat(this.#toUpstream);
      this.#toUpstream = [];
      this.#upstream.write(data);
    }
    this.#flushClient();
    if (this.#endWhenFlushed && this.#delayed.length === 0) this.#endGracefully();
  };

  #onCommand = (buffer: Buffer, start: number, end: number): void => {
    this.commands++;
    if (this.#log !== undefined) this.#trace('REQ', buffer, start, end);
    const route = this.#owner.route(this, buffer, start, end);
    if (route === FORWARD) {
      const last = this.#toUpstream[this.#toUpstream.length - 1];
      // Consecutive commands of one chunk go upstream as one slice.
      if (last !== undefined && start >= last.length && last.buffer === buffer.buffer &&
          last.byteOffset + last.length === buffer.byteOffset + start) {
        this.#toUpstream[this.#toUpstream.length - 1] = buffer.subarray(start - last.length, end);
      } else {
        this.#toUpstream.push(buffer.subarray(start, end));
      }
      return;
    }
    if (route === DROP) return;
    this.#toUpstream.push(this.#locals.add(route));
  };

  #onUpstreamData = (chunk: Buffer): void => {
    this.#busy = true;
    try {
      this.#replies.feed(chunk, this.#onReply);
    } catch {
      // The upstream broke the protocol; nothing sensible can follow.
      this.#busy = false;
      this.close();
      return;
    }
    this.#busy = false;
    this.#flushClient();
  };

  #onReply = (buffer: Buffer, start: number, end: number, isPush: boolean): void => {
    // Blackholed replies vanish whole, so the stream is still framed if the hole closes again.
    if (this.#owner.blackhole) return;
    if (!isPush && this.#locals.waiting) {
      const replacement = this.#locals.replace(buffer, start, end);
      if (replacement !== undefined) {
        if (this.#log !== undefined) {
          const frame = Buffer.concat(replacement.parts);
          if (frame.length > 0) this.#trace('RES', frame, 0, frame.length);
        }
        this.#closeRun();
        for (const part of replacement.parts) if (part.length > 0) this.#out.push(part);
        for (const then of replacement.then) then();
        return;
      }
    }
    if (this.#log !== undefined) this.#trace(isPush ? 'PUSH' : 'RES', buffer, start, end);
    if (this.#run === buffer && this.#runEnd === start) {
      this.#runEnd = end;
    } else {
      this.#closeRun();
      this.#run = buffer;
      this.#runStart = start;
      this.#runEnd = end;
    }
  };

  #trace(kind: TrafficKind, buffer: Buffer, start: number, end: number): void {
    this.#log!(trafficLine(this.#owner.id, this.id, kind, buffer, start, end));
  }

  #closeRun(): void {
    if (this.#run === undefined) return;
    this.#out.push(this.#run.subarray(this.#runStart, this.#runEnd));
    this.#run = undefined;
  }

  #flushClient(): void {
    this.#closeRun();
    if (this.#out.length === 0 || this.closed) return;
    const data = this.#out;
    this.#out = [];
    const latency = this.#owner.latencyMs;
    if (latency <= 0 && this.#delayed.length === 0) {
      this.#write(data);
      return;
    }
    // Never earlier than what is already waiting, so a latency change cannot reorder output.
    const last = this.#delayed[this.#delayed.length - 1];
    const due = Math.max(Date.now() + latency, last?.due ?? 0);
    this.#delayed.push({ due, data });
    if (this.#delayed.length === 1) this.#scheduleDelayed();
  }

  #scheduleDelayed(): void {
    const head = this.#delayed[0];
    if (head === undefined) return;
    this.#delayTimer = setTimeout(() => {
      const now = Date.now();
      while (this.#delayed.length > 0 && this.#delayed[0]!.due <= now) this.#write(this.#delayed.shift()!.data);
      if (this.#delayed.length > 0) this.#scheduleDelayed();
      else if (this.#endWhenFlushed) this.#endGracefully();
    }, Math.max(0, head.due - Date.now()));
  }

  #write(data: Buffer[]): void {
    if (this.closed || this.#owner.blackhole) return;
    if (data.length === 1) {
      this.bytesOut += data[0]!.length;
      this.#client.write(data[0]!);
      return;
    }
    this.#client.cork();
    for (const part of data) {
      this.bytesOut += part.length;
      this.#client.write(part);
    }
    this.#client.uncork();
  }
}
