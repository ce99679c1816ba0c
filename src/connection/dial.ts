import net from 'node:net';
import tls from 'node:tls';
import { ConnectionError } from './errors.js';

export interface DialOptions {
  host: string;
  port: number;
  /** TLS options passed to `tls.connect` as they are; undefined = plain TCP. */
  tls: tls.ConnectionOptions | undefined;
  /** Milliseconds to wait for TCP (and TLS) to be established. */
  connectTimeout: number;
}

/** Opens a TCP or TLS socket; rejects with a ConnectionError naming host:port. */
export function dial(options: DialOptions): Promise<net.Socket> {
  const { host, port } = options;
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...options.tls })
      : net.connect({ host, port });
    const readyEvent = options.tls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      socket.destroy();
      settle(new ConnectionError(`connecting to ${host}:${port} timed out after ${options.connectTimeout} ms`, 'ERR_CONNECT_TIMEOUT'));
    }, options.connectTimeout);
    const onError = (error: Error): void => {
      socket.destroy();
      settle(new ConnectionError(`cannot connect to ${host}:${port}: ${error.message}`, 'ERR_CONNECTION', { cause: error }));
    };
    const onReady = (): void => settle(undefined);
    function settle(error: ConnectionError | undefined): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
      if (error) reject(error);
      else resolve(socket);
    }
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
  });
}
