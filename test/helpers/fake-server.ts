/**
 * A bare TCP server speaking just enough RESP for cases a real Redis cannot produce (garbage
 * bytes, no HELLO, never answering). Each received command is decoded with our own decoder and
 * passed to `respond`, which returns the raw bytes to send back (or undefined for silence).
 */
import net from 'node:net';
import { Decoder, type RespValue } from '../../src/protocol/index.js';

export interface FakeServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export type Responder = (command: string[], connectionIndex: number) => string | undefined;

/** A RESP3 HELLO reply as Redis 7 sends it. */
export const HELLO_REPLY = '%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n';

export async function startFakeServer(respond: Responder): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    const index = accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new Decoder({
      onReply: (value: RespValue) => {
        const command = (value as RespValue[]).map(String);
        const out = respond(command, index);
        if (out !== undefined && !socket.destroyed) socket.write(out);
      },
      onPush: () => undefined,
      onError: () => socket.destroy(),
    });
    socket.on('data', (chunk: Buffer) => decoder.feed(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
