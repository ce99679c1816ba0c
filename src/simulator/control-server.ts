import http from 'node:http';
import type net from 'node:net';
import { SimulatorError, badInput } from './errors.js';
import { faultInjectorRoutes } from './fault-injector-api.js';
import { proxyApiRoutes } from './proxy-api.js';
import type { SimulatorControl } from './control.js';
import type { Route } from './routes.js';
import type { HostPort } from './types.js';

/**
 * The HTTP server for both control APIs (their paths do not collide, so one port serves the
 * fault-injector routes and the cae-resp-proxy routes). Plain node:http and a table of routes;
 * every failure becomes a JSON 4xx/5xx and never reaches the proxy.
 */

export interface ControlServer {
  address: HostPort;
  close(): Promise<void>;
}

/** Larger bodies get 413: no client suite sends more than a few kilobytes. */
export const MAX_BODY = 1024 * 1024;

interface Compiled extends Route {
  pattern: RegExp;
  names: string[];
}

export async function startControlServer(simulator: SimulatorControl, host: string, port: number): Promise<ControlServer> {
  const routes = [...faultInjectorRoutes(simulator), ...proxyApiRoutes(simulator)].map(compile);
  const server = http.createServer((req, res) => void serve(routes, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new SimulatorError('ERR_SIM_LISTEN', `cannot serve the control API on ${host}:${port}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    address: { host, port: address.port },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path.split('/').map((part) => {
    if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part.slice(1));
    return '([^/]+)';
  }).join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), names };
}

async function serve(routes: Compiled[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  let bodyPromise: Promise<Buffer> | undefined;
  const body = (): Promise<Buffer> => (bodyPromise ??= readBody(req));
  try {
    let pathMatched = false;
    for (const route of routes) {
      const m = route.pattern.exec(url.pathname);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      const reply = await route.handle({
        params,
        query: url.searchParams,
        body,
        json: async () => {
          const bytes = await body();
          try {
            return JSON.parse(bytes.toString('utf8')) as unknown;
          } catch {
            throw badInput('the body is not valid JSON');
          }
        },
      });
      send(res, reply.status ?? 200, reply.body);
      return;
    }
    if (pathMatched) send(res, 405, { error: `${req.method} is not allowed on ${url.pathname}`, code: 'ERR_SIM_METHOD' });
    else sendText(res, 404, '404 Not Found');
  } catch (err) {
    if (err instanceof SimulatorError) {
      send(res, err.httpStatus, { success: false, error: err.message, code: err.code });
    } else {
      send(res, 500, { success: false, error: err instanceof Error ? err.message : String(err), code: 'ERR_SIM_INTERNAL' });
    }
  } finally {
    // Drain an unread body so the connection stays usable.
    if (bodyPromise === undefined) req.resume();
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY) {
        failed = true;
        reject(new SimulatorError('ERR_SIM_BODY_TOO_LARGE', `the body exceeds ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
