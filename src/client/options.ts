import { constants as bufferConstants } from 'node:buffer';
import type tls from 'node:tls';
import { DEFAULT_HANDSHAKE, type HandshakeStep } from '../connection/index.js';
import { ConfigError } from '../errors.js';
import type { Hook } from '../hooks/index.js';
import { resolveMaintNotifications, type MaintNotificationsConfig, type MaintNotificationsOptions } from '../maintnotifications/index.js';
import { MAX_AGGREGATE_LENGTH, MAX_BULK_LENGTH } from '../protocol/index.js';
import { DEFAULT_BACKOFF, exponentialBackoff, type BackoffOptions, type PoolSizing, type ReconnectStrategy } from '../pool/index.js';
import { LIB_NAME, VERSION } from '../version.js';

/** Options of `createClient`. Durations are milliseconds. */
export interface ClientOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). Fields given separately win. */
  url?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  username?: string;
  password?: string;
  /** Database selected on every connection (also after reconnects). Default 0. */
  db?: number;
  /** Client name (CLIENT SETNAME) on every connection. */
  name?: string;
  /** true, or options for `tls.connect` (ca, cert, key, servername, …). Implied by `rediss://`. */
  tls?: boolean | tls.ConnectionOptions;
  /** 3 (default: HELLO 3, falling back to RESP2 on servers without HELLO) or 2. */
  protocol?: 2 | 3;
  /** TCP/TLS setup and each handshake reply. Default 5000. */
  connectTimeout?: number;
  /** How long a written command waits for its reply; 0 = no limit. Default 5000. */
  commandTimeout?: number;
  /** Bulk strings as Buffers instead of UTF-8 strings. Default false. */
  returnBuffers?: boolean;
  /**
   * Longest bulk string a reply may announce, in bytes. A longer `$`, `=` or `!` header fails the
   * connection's pending commands with a ProtocolError at once, before anything of that size is
   * buffered. Default 512 MiB, Redis's own proto-max-bulk-len.
   */
  maxBulkLength?: number;
  /**
   * Largest count an aggregate header (`*`, `~`, `>`: elements; `%`: entries) may announce; a larger
   * one is a ProtocolError. Default 134217728 (2^27), more elements than a default Node heap holds.
   */
  maxAggregateLength?: number;
  /**
   * Reconnection after a lost connection: true (default backoff: 50 ms doubling to 2000 ms, with
   * jitter, forever), false (never), backoff options, or a strategy returning the delay or false.
   */
  reconnect?: boolean | Partial<BackoffOptions> | ReconnectStrategy;
  /**
   * Commands issued while reconnecting wait in the offline queue: true (default, up to 100 000),
   * false (fail fast), or `{ maxLength }`.
   */
  offlineQueue?: boolean | { maxLength: number };
  /**
   * Commands one connection holds at most: written and waiting for their reply, or queued to be
   * written. The newest beyond it fail before being written, with a ConnectionError
   * (ERR_PENDING_COMMANDS_FULL), so a server that stops answering cannot make the process hold
   * every command issued meanwhile. Default
   * 1 000 000 (about 370 MB of heap at the measured size per pending command).
   */
  maxPendingCommands?: number;
  /** Idle lease connections kept at most (blocking commands, WATCH, pub/sub). Default 10. */
  poolSize?: number;
  /** Idle lease connections kept open and ready. Default 0. */
  minIdleConns?: number;
  /** Connections open at once at most, the shared one included; 0 = no limit (default). */
  maxActiveConns?: number;
  /** How long a lease waits for a slot under maxActiveConns. Default commandTimeout + 1000. */
  poolTimeout?: number;
  /** Idle lease connections older than this are closed; 0 = never. Default 30 minutes. */
  connMaxIdleTime?: number;
  /** Hooks observing commands and connections (see `Hook`). */
  hooks?: readonly Hook[];
  /** Extra handshake steps, run on every connection after HELLO, SELECT and CLIENT SETINFO. */
  handshake?: readonly HandshakeStep[];
  /**
   * Redis Enterprise / Redis Cloud maintenance notifications: relaxed timeouts during migrations
   * and failovers, handoffs to the new endpoint on MOVING. Default `{ mode: 'auto' }`: used
   * where the server supports them, quietly not elsewhere. See MaintNotificationsOptions.
   */
  maintNotifications?: MaintNotificationsOptions;
}

export interface ResolvedOptions extends PoolSizing {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  clientName: string | undefined;
  tls: tls.ConnectionOptions | undefined;
  protocol: 2 | 3;
  connectTimeout: number;
  commandTimeout: number;
  returnBuffers: boolean;
  maxBulkLength: number;
  maxAggregateLength: number;
  reconnect: ReconnectStrategy | false;
  offlineQueueLimit: number;
  maxPendingCommands: number;
  hooks: readonly Hook[];
  handshake: readonly HandshakeStep[];
  maintNotifications: MaintNotificationsConfig;
  libName: string;
  libVersion: string;
}

/** A bulk string is joined into one Buffer with its header and CRLF; that Buffer must be possible. */
const LARGEST_BULK = Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER) - 64;

const KNOWN = new Set<string>([
  'url', 'host', 'port', 'username', 'password', 'db', 'name', 'tls', 'protocol', 'connectTimeout', 'commandTimeout',
  'returnBuffers', 'maxBulkLength', 'maxAggregateLength', 'reconnect', 'offlineQueue', 'maxPendingCommands', 'poolSize', 'minIdleConns', 'maxActiveConns', 'poolTimeout',
  'connMaxIdleTime', 'hooks', 'handshake', 'maintNotifications',
]);

/** Validates `createClient` input; throws a ConfigError naming the first bad field. */
export function resolveOptions(input: ClientOptions | string | undefined): ResolvedOptions {
  const options: ClientOptions = typeof input === 'string' ? { url: input } : (input ?? {});
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', `expected an object or a URL string, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ConfigError(key, `unknown option${suggest(key)}`);
  }
  const fromUrl = options.url === undefined ? {} : parseUrl(options.url);
  const commandTimeout = duration('commandTimeout', options.commandTimeout, 5000);
  const tlsOption = options.tls ?? fromUrl.tls;
  if (tlsOption !== undefined && typeof tlsOption !== 'boolean' && (typeof tlsOption !== 'object' || tlsOption === null)) {
    // Only the type: a misplaced string here may be a private key.
    throw new ConfigError('tls', `expected true, false or tls.connect options, got ${describeType(tlsOption)}`);
  }
  const protocol = options.protocol ?? 3;
  if (protocol !== 2 && protocol !== 3) throw new ConfigError('protocol', `expected 2 or 3, got ${describe(protocol)}`);
  const minIdleConns = integer('minIdleConns', options.minIdleConns, 0, 0, 10_000);
  const poolSize = integer('poolSize', options.poolSize, 10, 1, 10_000);
  const maxActiveConns = integer('maxActiveConns', options.maxActiveConns, 0, 0, 100_000);
  if (maxActiveConns !== 0 && maxActiveConns < 2) {
    throw new ConfigError('maxActiveConns', `must be 0 (no limit) or at least 2 (the shared connection and one lease), got ${maxActiveConns}`);
  }
  if (maxActiveConns !== 0 && minIdleConns >= maxActiveConns) {
    throw new ConfigError('minIdleConns', `must be below maxActiveConns (${maxActiveConns}), got ${minIdleConns}`);
  }
  const hooks = options.hooks ?? [];
  if (!Array.isArray(hooks) || hooks.some((h) => typeof h !== 'object' || h === null)) {
    throw new ConfigError('hooks', 'expected an array of hook objects');
  }
  const handshake = options.handshake ?? [];
  if (!Array.isArray(handshake) || handshake.some((s) => typeof s?.run !== 'function' || typeof s?.name !== 'string')) {
    throw new ConfigError('handshake', 'expected an array of { name, run(context) } steps');
  }
  return {
    host: text('host', options.host, fromUrl.host ?? '127.0.0.1'),
    port: integer('port', options.port ?? fromUrl.port, 6379, 1, 65_535),
    username: optionalText('username', options.username ?? fromUrl.username),
    password: optionalSecret('password', options.password ?? fromUrl.password),
    db: integer('db', options.db ?? fromUrl.db, 0, 0, 1_000_000),
    clientName: optionalText('name', options.name),
    tls: tlsOption === true ? {} : tlsOption === false ? undefined : tlsOption,
    protocol,
    connectTimeout: duration('connectTimeout', options.connectTimeout, 5000, 1),
    commandTimeout,
    returnBuffers: bool('returnBuffers', options.returnBuffers, false),
    maxBulkLength: integer('maxBulkLength', options.maxBulkLength, MAX_BULK_LENGTH, 1, LARGEST_BULK),
    maxAggregateLength: integer('maxAggregateLength', options.maxAggregateLength, MAX_AGGREGATE_LENGTH, 1, 2 ** 32 - 1),
    reconnect: reconnectStrategy(options.reconnect),
    offlineQueueLimit: offlineQueueLimit(options.offlineQueue),
    maxPendingCommands: integer('maxPendingCommands', options.maxPendingCommands, 1_000_000, 1, 2 ** 32 - 1),
    poolSize,
    minIdleConns,
    maxActiveConns,
    poolTimeout: duration('poolTimeout', options.poolTimeout, commandTimeout + 1000, 1),
    connMaxIdleTime: duration('connMaxIdleTime', options.connMaxIdleTime, 30 * 60_000),
    hooks,
    handshake: [...DEFAULT_HANDSHAKE, ...handshake],
    maintNotifications: resolveMaintNotifications(options.maintNotifications, { poolSize, maxActiveConns, protocol }),
    libName: LIB_NAME,
    libVersion: VERSION,
  };
}

interface UrlParts {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean;
}

function parseUrl(url: unknown): UrlParts {
  if (typeof url !== 'string') throw new ConfigError('url', `expected a string, got ${describe(url)}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('url', `"${withoutPassword(url)}" is not a valid URL (expected redis://host:port/db)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('url', `scheme "${parsed.protocol}" is not supported (use redis: or rediss:)`);
  }
  const parts: UrlParts = { tls: parsed.protocol === 'rediss:' };
  if (parsed.hostname) parts.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port) parts.port = Number(parsed.port);
  if (parsed.username) parts.username = decodeURIComponent(parsed.username);
  if (parsed.password) parts.password = decodeURIComponent(parsed.password);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '') {
    if (!/^\d+$/.test(path)) throw new ConfigError('url', `database "${path}" in "${withoutPassword(url)}" is not a number`);
    parts.db = Number(path);
  }
  return parts;
}

function reconnectStrategy(value: ClientOptions['reconnect']): ReconnectStrategy | false {
  if (value === undefined || value === true) return exponentialBackoff(DEFAULT_BACKOFF);
  if (value === false) return false;
  if (typeof value === 'function') {
    return (attempt, cause) => {
      const delay = value(attempt, cause);
      if (delay === false) return false;
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
        throw new ConfigError('reconnect', `the strategy returned ${describe(delay)}; expected a delay in ms or false`);
      }
      return delay;
    };
  }
  if (typeof value !== 'object' || value === null) throw new ConfigError('reconnect', `expected a boolean, backoff options or a function, got ${describe(value)}`);
  const initialDelay = duration('reconnect.initialDelay', value.initialDelay, DEFAULT_BACKOFF.initialDelay);
  const maxDelay = duration('reconnect.maxDelay', value.maxDelay, Math.max(DEFAULT_BACKOFF.maxDelay, initialDelay));
  if (maxDelay < initialDelay) throw new ConfigError('reconnect.maxDelay', `must be at least initialDelay (${initialDelay}), got ${maxDelay}`);
  const maxAttempts = value.maxAttempts === undefined || value.maxAttempts === Infinity ? Infinity : integer('reconnect.maxAttempts', value.maxAttempts, 0, 0, 1e9);
  return exponentialBackoff({ initialDelay, maxDelay, maxAttempts });
}

function offlineQueueLimit(value: ClientOptions['offlineQueue']): number {
  if (value === undefined || value === true) return 100_000;
  if (value === false) return 0;
  if (typeof value !== 'object' || value === null) throw new ConfigError('offlineQueue', `expected a boolean or { maxLength }, got ${describe(value)}`);
  return integer('offlineQueue.maxLength', value.maxLength, 100_000, 0, 1e9);
}

function integer(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function duration(field: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 2_147_483_647) {
    throw new ConfigError(field, `expected milliseconds from ${min} to 2147483647, got ${describe(value)}`);
  }
  return value;
}

function bool(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(field, `expected a boolean, got ${describe(value)}`);
  return value;
}

function text(field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(field, `expected a non-empty string, got ${describe(value)}`);
  return value;
}

/** Like optionalText, but an invalid value is described by its type only: it may be the password. */
function optionalSecret(field: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new ConfigError(field, `expected a string, got ${describeType(value)}`);
  return value;
}

/**
 * `url` with the password of its user info replaced by `***`, for error messages. Works on text
 * that is not a valid URL too, and takes everything up to the last `@` as user info, so a password
 * containing `@` or `/` is hidden whole.
 */
function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)(.*)@/i, (_match, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(':');
    return `${scheme}${colon === -1 ? userInfo : `${userInfo.slice(0, colon)}:***`}@`;
  });
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function optionalText(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(field, `expected a string, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** node-redis options and where their meaning lives here: code moved from node-redis is told, not just refused. */
const FROM_NODE_REDIS: Readonly<Record<string, string>> = {
  socket: 'node-redis\'s socket options are top-level here: host, port, tls, connectTimeout, and reconnect for reconnectStrategy',
  RESP: 'use protocol: 2 or 3',
  maintEndpointType: 'use maintNotifications: { endpointType }',
  maintRelaxedCommandTimeout: 'use maintNotifications: { relaxedTimeout }',
  maintRelaxedSocketTimeout: 'use maintNotifications: { relaxedTimeout }',
};

function suggest(key: string): string {
  const moved = Object.hasOwn(FROM_NODE_REDIS, key) ? FROM_NODE_REDIS[key] : undefined;
  if (moved !== undefined) return ` (${moved})`;
  const lower = key.toLowerCase();
  for (const known of KNOWN) {
    if (known.toLowerCase() === lower || distance(known.toLowerCase(), lower) <= 2) return ` (did you mean "${known}"?)`;
  }
  return '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

