/**
 * A raw TCP server that behaves like Redis until a test's script says otherwise, for what a real
 * Redis cannot be made to do (garbage bytes, refusing HELLO, never answering): the script sees
 * each decoded command with the socket it came on and may answer it with any bytes, a byte at a
 * time, never, or by closing. What the script leaves alone gets a well-behaved reply, so the
 * client's reconnection and later commands meet a normal server.
 */
import net from 'node:net';
import { setImmediate as nextImmediate } from 'node:timers/promises';
import { Decoder, type RespValue } from '../../src/protocol/index.js';

export interface HostileSocket {
  /** 0 for the first connection accepted, 1 for the next, … */
  readonly index: number;
  write(bytes: string | Buffer): void;
  /** Writes `bytes` one byte per write, each in its own event-loop turn. */
  dribble(bytes: string | Buffer): Promise<void>;
  /** Closes the socket at once (the client sees the server close it). */
  destroy(): void;
  /** Closes the socket once everything written so far has gone out. */
  end(): void;
}

/**
 * Called for every command. Return true when it was handled (answered, ignored on purpose, or the
 * socket closed); false to have the well-behaved reply sent.
 */
export type Script = (command: string[], socket: HostileSocket) => boolean;

export interface HostileServer {
  readonly port: number;
  /** `127.0.0.1:port`, as the client's errors name it. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Every command received so far, on any connection, in the order decoded. */
  readonly commands: readonly string[][];
  close(): Promise<void>;
}

export interface HostileServerOptions {
  /** Answer HELLO as a Redis without RESP3 does, so clients fall back to RESP2. Default false. */
  resp2?: boolean;
}

/** A RESP3 HELLO reply as Redis 7 sends it. */
const HELLO_REPLY = '%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n';

/** What a well-behaved server answers: a Redis without maintenance notifications and with one key space. */
function normalReply(command: string[], store: Map<string, string>, resp2: boolean): string {
  const [name = '', ...args] = command;
  switch (name.toUpperCase()) {
    case 'HELLO':
      return resp2 ? "-ERR unknown command 'HELLO'\r\n" : HELLO_REPLY;
    case 'CLIENT':
      return args[0]?.toUpperCase() === 'MAINT_NOTIFICATIONS' ? "-ERR unknown subcommand 'MAINT_NOTIFICATIONS'\r\n" : '+OK\r\n';
    case 'PING':
      return '+PONG\r\n';
    case 'SET':
      store.set(args[0] ?? '', args[1] ?? '');
      return '+OK\r\n';
    case 'GET': {
      const value = store.get(args[0] ?? '');
      return value === undefined ? (resp2 ? '$-1\r\n' : '_\r\n') : `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
    }
    default:
      return `-ERR unknown command '${name}'\r\n`;
  }
}

export async function startHostileServer(script: Script, options: HostileServerOptions = {}): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const store = new Map<string, string>();
  const commands: string[][] = [];
  let accepted = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // Writes and dribbles go out in the order they were asked for, however long a dribble takes.
    let queue = Promise.resolve();
    const enqueue = (work: () => void | Promise<void>): Promise<void> => (queue = queue.then(work));
    const hostile: HostileSocket = {
      index: accepted++,
      write: (bytes) => {
        void enqueue(() => {
          if (!socket.destroyed) socket.write(bytes);
        });
      },
      dribble: (bytes) =>
        enqueue(async () => {
          const all = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
          for (let i = 0; i < all.length && !socket.destroyed; i++) {
            socket.write(all.subarray(i, i + 1));
            await nextImmediate();
          }
        }),
      destroy: () => void enqueue(() => void socket.destroy()),
      end: () => void enqueue(() => void socket.end()),
    };
    const decoder = new Decoder({
      onReply: (value: RespValue) => {
        const command = (value as RespValue[]).map(String);
        commands.push(command);
        if (!script(command, hostile)) hostile.write(normalReply(command, store, options.resp2 ?? false));
      },
      onPush: () => undefined,
      onError: () => socket.destroy(),
    });
    socket.on('data', (chunk: Buffer) => decoder.feed(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return accepted;
    },
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
