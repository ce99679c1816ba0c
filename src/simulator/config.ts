import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { badInput } from './errors.js';
import type { DefaultInterceptor } from './control.js';
import type { SimulatorOptions } from './simulator.js';
import type { HostPort, NodeOptions, NodeTlsOptions } from './types.js';

/**
 * Turns command-line flags and cae-resp-proxy's environment into SimulatorOptions, so a compose
 * file written for `redislabs/client-resp-proxy` can start `hitless simulate` unchanged.
 *
 * Our flags: --upstream redis[s]://h:p, --listen h:p[,h:p…] (one node per address), --control h:p,
 * --tls-cert FILE --tls-key FILE (TLS toward clients), --tls-ca FILE (trusted for a rediss:// upstream
 * and, with --tls-require-client-cert, for client certificates).
 * cae's: LISTEN_PORT (list), LISTEN_HOST, TARGET_HOST, TARGET_PORT, API_PORT, TIMEOUT,
 * DEFAULT_INTERCEPTORS, ENABLE_LOGGING, or the same as camelCase (or kebab-case) flags.
 * Flags win over the environment.
 */

export interface SimulateConfig {
  options: SimulatorOptions;
  /** Write the endpoints JSON (REDIS_ENDPOINTS_CONFIG_PATH format) here once started. */
  endpointsConfig?: string;
}

type Flags = Record<string, string | boolean>;

const CAE_KEYS = ['listenPort', 'listenHost', 'targetHost', 'targetPort', 'apiPort', 'timeout', 'defaultInterceptors', 'enableLogging'] as const;
const INTERCEPTORS: readonly DefaultInterceptor[] = ['cluster', 'hitless', 'logger'];

/** `LISTEN_PORT` → `listenPort`; `listen-port` → `listenPort`. */
const camel = (key: string): string =>
  /[_-]/.test(key) ? key.toLowerCase().replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase()) : key;

export function parseHostPort(text: string, what: string): HostPort {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || m[1] === '' || port > 65535) throw badInput(`${what} must be host:port, got "${text}"`);
  return { host: m[1]!, port };
}

/** `redis://h:p`, `rediss://h:p` (TLS) or `h:p`. */
export function parseUpstream(text: string): HostPort & { tls: boolean } {
  if (/^rediss?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw badInput(`--upstream is not a valid URL: "${text}"`);
    }
    return {
      host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
      port: url.port === '' ? 6379 : Number(url.port),
      tls: url.protocol === 'rediss:',
    };
  }
  return { ...parseHostPort(text, '--upstream'), tls: false };
}

function readPem(flags: Flags, name: string): Buffer | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw badInput(`--${name} needs a file`);
  try {
    return readFileSync(value);
  } catch (err) {
    throw badInput(`--${name}: cannot read "${value}": ${(err as Error).message}`);
  }
}

const number = (value: string | boolean | undefined, what: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(n) || n < 0) throw badInput(`${what} must be a non-negative number, got "${value}"`);
  return n;
};

export function simulateConfig(flags: Flags, env: NodeJS.ProcessEnv = process.env): SimulateConfig {
  const cae: Record<string, string> = {};
  for (const key of CAE_KEYS) {
    const envName = key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    if (env[envName] !== undefined && env[envName] !== '') cae[key] = env[envName]!;
  }
  for (const [key, value] of Object.entries(flags)) {
    const k = camel(key);
    if ((CAE_KEYS as readonly string[]).includes(k)) cae[k] = String(value);
  }

  let upstream: HostPort | undefined;
  let upstreamIsTls = false;
  if (typeof flags.upstream === 'string') {
    const parsed = parseUpstream(flags.upstream);
    upstream = { host: parsed.host, port: parsed.port };
    upstreamIsTls = parsed.tls;
  } else if (cae.targetHost !== undefined || cae.targetPort !== undefined) {
    if (cae.targetHost === undefined || cae.targetPort === undefined) throw badInput('TARGET_HOST and TARGET_PORT go together');
    upstream = { host: cae.targetHost, port: number(cae.targetPort, 'TARGET_PORT')! };
  }
  if (upstream === undefined) throw badInput('say which redis-server to front: --upstream redis://host:port (or TARGET_HOST and TARGET_PORT)');

  const timeout = number(cae.timeout, 'TIMEOUT');
  const listenHost = cae.listenHost ?? '127.0.0.1';
  let listen: HostPort[];
  if (typeof flags.listen === 'string') {
    listen = flags.listen.split(',').map((part) => parseHostPort(part, '--listen'));
  } else if (cae.listenPort !== undefined) {
    listen = cae.listenPort.split(',').map((p) => ({ host: listenHost, port: number(p, 'LISTEN_PORT')! }));
  } else {
    listen = [{ host: '127.0.0.1', port: 16379 }];
  }
  const cert = readPem(flags, 'tls-cert');
  const key = readPem(flags, 'tls-key');
  const ca = readPem(flags, 'tls-ca');
  if ((cert === undefined) !== (key === undefined)) throw badInput('--tls-cert and --tls-key go together');
  if (ca !== undefined && !upstreamIsTls && cert === undefined) {
    throw badInput('--tls-ca is the CA trusted for a rediss:// upstream (or completes the chain of --tls-cert); give one of them');
  }
  const clientCerts = flags['tls-require-client-cert'];
  if (clientCerts !== undefined && clientCerts !== true) throw badInput('--tls-require-client-cert takes no value');
  if (clientCerts === true && (cert === undefined || ca === undefined)) {
    throw badInput('--tls-require-client-cert needs --tls-cert/--tls-key (TLS toward clients) and --tls-ca (the CA client certificates must chain to)');
  }
  // The CA also lets the nodes send the whole chain when --tls-cert is signed by it.
  const tls: NodeTlsOptions | undefined = cert === undefined ? undefined : {
    cert, key: key!, ...(ca === undefined ? {} : { ca }),
    ...(clientCerts === true ? { requestCert: true, rejectUnauthorized: true } : {}),
  };
  const upstreamTls: tls.ConnectionOptions | undefined = upstreamIsTls ? (ca === undefined ? {} : { ca }) : undefined;

  const maintSupport = flags.oss === true ? 'oss' : 'enterprise';
  const nodes: NodeOptions[] = listen.map((l) => ({
    upstream,
    listen: [l],
    maintSupport,
    ...(timeout === undefined ? {} : { idleTimeoutMs: timeout }),
    ...(tls === undefined ? {} : { tls }),
    ...(upstreamTls === undefined ? {} : { upstreamTls }),
  }));

  let control: HostPort | undefined;
  if (typeof flags.control === 'string') control = parseHostPort(flags.control, '--control');
  else if (cae.apiPort !== undefined) control = { host: listenHost === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1', port: number(cae.apiPort, 'API_PORT')! };
  else control = { host: '127.0.0.1', port: 18100 };

  const defaultInterceptors = (cae.defaultInterceptors ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of defaultInterceptors) {
    if (!INTERCEPTORS.includes(name as DefaultInterceptor)) throw badInput(`unknown default interceptor "${name}"; known: ${INTERCEPTORS.join(', ')}`);
  }
  if (cae.enableLogging === 'true' && !defaultInterceptors.includes('logger')) defaultInterceptors.push('logger');

  const timings: SimulatorOptions['timings'] = {};
  const migrateWaitMs = number(flags['migrate-wait-ms'], '--migrate-wait-ms');
  const failoverWaitMs = number(flags['failover-wait-ms'], '--failover-wait-ms');
  const smigrateWaitMs = number(flags['smigrate-wait-ms'], '--smigrate-wait-ms');
  const movingTimeS = number(flags['moving-time-s'], '--moving-time-s');
  if (migrateWaitMs !== undefined) timings.migrateWaitMs = migrateWaitMs;
  if (failoverWaitMs !== undefined) timings.failoverWaitMs = failoverWaitMs;
  if (smigrateWaitMs !== undefined) timings.smigrateWaitMs = smigrateWaitMs;
  if (movingTimeS !== undefined) timings.movingTimeS = movingTimeS;

  const options: SimulatorOptions = {
    nodes,
    control,
    timings,
    defaultInterceptors: defaultInterceptors as DefaultInterceptor[],
    replayLastCompletion: flags['replay-last-completion'] === true,
    proxyDefaults: {
      listenHost, targetHost: upstream.host, targetPort: upstream.port,
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      ...(tls === undefined ? {} : { tls }),
      ...(upstreamTls === undefined ? {} : { upstreamTls }),
    },
  };
  const endpointsConfig = typeof flags['endpoints-config'] === 'string' ? flags['endpoints-config'] : undefined;
  return endpointsConfig === undefined ? { options } : { options, endpointsConfig };
}

/** The endpoints file client suites read from REDIS_ENDPOINTS_CONFIG_PATH: `{"<db>": {...}}`. */
export function endpointsConfig(database: Record<string, unknown>, name = 'hitless-simulator'): Record<string, unknown> {
  return { [name]: database };
}
