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

/** Why an open was given up on purpose (the client closed meanwhile). */
function aborted(host: string, port: number): ConnectionError {
  return new ConnectionError(`connecting to ${host}:${port} was abandoned: the client is closing`, 'ERR_CONNECTION_ABORTED');
}

/** Opens a TCP or TLS socket; rejects with a ConnectionError naming host:port (also when `signal` aborts). */
export function dial(options: DialOptions, signal?: AbortSignal): Promise<net.Socket> {
  const { host, port } = options;
  if (signal?.aborted) return Promise.reject(aborted(host, port));
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
    const onAbort = (): void => {
      socket.destroy();
      settle(aborted(host, port));
    };
    function settle(error: ConnectionError | undefined): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(socket);
    }
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
  });
}
