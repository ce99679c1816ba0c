import { BlockList, isIP } from 'node:net';
import type { Endpoint } from '../connection/types.js';
import { ConfigError, describeValue as describe } from '../errors.js';
import { isHostname, splitHostPort } from './notification.js';

/** The values of `maintNotifications.mode`. */
export const MAINT_MODES = ['disabled', 'enabled', 'auto'] as const;

/** Whether the client asks servers for maintenance notifications (see `MaintNotificationsOptions.mode`). */
export type MaintMode = (typeof MAINT_MODES)[number];

/** Named `MaintMode` values. */
export const MaintMode = { DISABLED: 'disabled', ENABLED: 'enabled', AUTO: 'auto' } as const satisfies Record<string, MaintMode>;

/** The values of `maintNotifications.endpointType`: what kind of address MOVING should carry. */
export const ENDPOINT_TYPES = ['auto', 'internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'] as const;

/** One of `ENDPOINT_TYPES`. */
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

/** Named `EndpointType` values. */
export const EndpointType = {
  AUTO: 'auto',
  INTERNAL_IP: 'internal-ip',
  INTERNAL_FQDN: 'internal-fqdn',
  EXTERNAL_IP: 'external-ip',
  EXTERNAL_FQDN: 'external-fqdn',
  NONE: 'none',
} as const satisfies Record<string, EndpointType>;

/** An endpoint type as sent in the handshake: `auto` replaced by what detection found. */
export type ResolvedEndpointType = Exclude<EndpointType, 'auto'>;

/** The `maintNotifications` option of `createClient`. Every field is optional; durations are milliseconds. */
export interface MaintNotificationsOptions {
  /**
   * `enabled`: every connection must enable notifications (needs RESP3; a server that refuses
   * fails the connection). `auto`: enable them where the server supports them, quietly do without
   * elsewhere. `disabled`: never ask. Default `auto`.
   */
  mode?: MaintMode;
  /**
   * The kind of address the server puts in MOVING (`internal-ip`, `internal-fqdn`, `external-ip`,
   * `external-fqdn`, `none` for no address). `auto` detects it from the configured host and TLS.
   * Default `auto`.
   */
  endpointType?: EndpointType;
  /** Command timeout while a migration or failover is under way, in ms; > 0. Default 10 000. */
  relaxedTimeout?: number;
  /** How long one handoff attempt (dial and handshake) may take, in ms; > 0. Default 15 000. */
  handoffTimeout?: number;
  /** Dial attempts per handoff before the connection falls back to ordinary reconnection; integer 1..10. Default 3. */
  maxHandoffRetries?: number;
  /** Handoffs run at once at most; 0 = sized from poolSize (see `autoMaxWorkers`). Default 0. */
  maxWorkers?: number;
  /** Handoffs waiting for a worker at most; 0 = sized from the pool (see `autoHandoffQueueSize`). Default 0. */
  handoffQueueSize?: number;
  /** How long a handed-off connection keeps relaxed timeouts, in ms; >= 0, 0 = 2 × relaxedTimeout. Default 0. */
  postHandoffRelaxedDuration?: number;
  /** Consecutive failed handoff dials to one endpoint that open its circuit breaker; integer >= 1. Default 5. */
  circuitBreakerFailureThreshold?: number;
  /** How long an open breaker refuses handoffs before it lets trial dials through (half-open), in ms; >= 0. Default 60 000. */
  circuitBreakerResetTimeout?: number;
  /** Trial dials a half-open breaker admits, all of which must succeed to close it; integer >= 1. Default 3. */
  circuitBreakerMaxRequests?: number;
  /**
   * Where MOVING may send the client, so a broken or hostile server cannot redirect it anywhere:
   * patterns (`redis.example.com`, `*.example.com` for one or more labels, `10.0.0.5`, `fd00::1`,
   * `10.0.0.0/8`, `fd00::/8`, with an optional `:port` on names and addresses, `[v6]:port` for
   * IPv6) or a predicate. A MOVING target outside is not followed. Default: any endpoint.
   */
  allowedEndpoints?: readonly string[] | ((endpoint: Endpoint) => boolean);
}

/** `MaintNotificationsOptions` validated, with every default and auto size resolved. */
export interface MaintNotificationsConfig {
  readonly mode: MaintMode;
  /** Still `auto` here: detection needs DNS, so it happens at connect time. */
  readonly endpointType: EndpointType;
  readonly relaxedTimeout: number;
  readonly handoffTimeout: number;
  readonly maxHandoffRetries: number;
  readonly maxWorkers: number;
  readonly handoffQueueSize: number;
  readonly postHandoffRelaxedDuration: number;
  readonly circuitBreakerFailureThreshold: number;
  readonly circuitBreakerResetTimeout: number;
  readonly circuitBreakerMaxRequests: number;
  /** The patterns compiled into one predicate; undefined = any endpoint. */
  readonly allowedEndpoints: ((endpoint: Endpoint) => boolean) | undefined;
}

/** What the rest of the client options say that this option depends on. */
export interface MaintNotificationsContext {
  poolSize: number;
  maxActiveConns: number;
  protocol: 2 | 3;
}

const PREFIX = 'maintNotifications';
/** The longest delay Node's timers take (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof MaintNotificationsOptions>([
  'mode', 'endpointType', 'relaxedTimeout', 'handoffTimeout', 'maxHandoffRetries', 'maxWorkers', 'handoffQueueSize',
  'postHandoffRelaxedDuration', 'circuitBreakerFailureThreshold', 'circuitBreakerResetTimeout', 'circuitBreakerMaxRequests',
  'allowedEndpoints',
]);

/** Validates the `maintNotifications` option (undefined = all defaults); throws a ConfigError naming the field. */
export function resolveMaintNotifications(input: unknown, context: MaintNotificationsContext): MaintNotificationsConfig {
  const options = asOptions(input);
  const mode = oneOf('mode', options.mode, MAINT_MODES, 'auto');
  if (mode === 'enabled' && context.protocol === 2) {
    throw new ConfigError(`${PREFIX}.mode`, 'notifications are RESP3 push frames, so mode "enabled" needs protocol 3, but protocol is 2; use protocol 3, or mode "auto" to go without them');
  }
  const relaxedTimeout = duration('relaxedTimeout', options.relaxedTimeout, 10_000, 1);
  const maxWorkers = integer('maxWorkers', options.maxWorkers, 0, 0, 10_000) || autoMaxWorkers(context.poolSize);
  const queue = integer('handoffQueueSize', options.handoffQueueSize, 0, 0, 1_000_000);
  const postHandoff = duration('postHandoffRelaxedDuration', options.postHandoffRelaxedDuration, 0, 0);
  return {
    mode,
    endpointType: oneOf('endpointType', options.endpointType, ENDPOINT_TYPES, 'auto'),
    relaxedTimeout,
    handoffTimeout: duration('handoffTimeout', options.handoffTimeout, 15_000, 1),
    maxHandoffRetries: integer('maxHandoffRetries', options.maxHandoffRetries, 3, 1, 10),
    // Unlike go-redis, an explicit maxWorkers or handoffQueueSize is kept as given, not raised: the user asked for it.
    maxWorkers,
    handoffQueueSize: queue || autoHandoffQueueSize(context.poolSize, maxWorkers, context.maxActiveConns),
    postHandoffRelaxedDuration: postHandoff || Math.min(2 * relaxedTimeout, MAX_TIMER_MS),
    circuitBreakerFailureThreshold: integer('circuitBreakerFailureThreshold', options.circuitBreakerFailureThreshold, 5, 1, 1_000_000),
    circuitBreakerResetTimeout: duration('circuitBreakerResetTimeout', options.circuitBreakerResetTimeout, 60_000, 0),
    circuitBreakerMaxRequests: integer('circuitBreakerMaxRequests', options.circuitBreakerMaxRequests, 3, 1, 10_000),
    allowedEndpoints: allowedEndpoints(options.allowedEndpoints),
  };
}

/** Handoff workers for `maxWorkers: 0`: min(poolSize / 2, max(10, poolSize / 3)), at least 1. */
export function autoMaxWorkers(poolSize: number): number {
  return Math.max(1, Math.min(Math.floor(poolSize / 2), Math.max(10, Math.floor(poolSize / 3))));
}

/**
 * Handoff queue length for `handoffQueueSize: 0`: max(20 × workers, poolSize), capped by the
 * connections that can exist (maxActiveConns + 1, or 5 × poolSize without a limit), at least 2.
 */
export function autoHandoffQueueSize(poolSize: number, maxWorkers: number, maxActiveConns: number): number {
  const wanted = Math.max(20 * maxWorkers, poolSize);
  const cap = maxActiveConns > 0 ? Math.max(maxActiveConns + 1, 2) : 5 * poolSize;
  return Math.max(2, Math.min(wanted, cap));
}

function asOptions(input: unknown): Readonly<Record<string, unknown>> {
  if (input === undefined) return {};
  if (!isRecord(input)) throw new ConfigError(PREFIX, `expected an object, got ${describe(input)}`);
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`${PREFIX}.${key}`, `unknown option${suggestion(key)}`);
  }
  return input;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new ConfigError(`${PREFIX}.${field}`, `expected ${listOf(allowed)}, got ${describe(value)}`);
  return found;
}

function integer(field: string, value: unknown, fallback: number, min: number, max: number): number {
  return checkedNumber(field, value, fallback, min, max, 'an integer');
}

/** Durations feed timers, so they stop at setTimeout's limit. */
function duration(field: string, value: unknown, fallback: number, min: number): number {
  return checkedNumber(field, value, fallback, min, MAX_TIMER_MS, 'milliseconds');
}

function checkedNumber(field: string, value: unknown, fallback: number, min: number, max: number, kind: 'an integer' | 'milliseconds'): number {
  if (value === undefined) return fallback;
  const valid = typeof value === 'number' && (kind === 'an integer' ? Number.isInteger(value) : Number.isFinite(value));
  if (!valid || value < min || value > max) throw new ConfigError(`${PREFIX}.${field}`, `expected ${kind} from ${min} to ${max}, got ${describe(value)}`);
  return value;
}

function allowedEndpoints(value: unknown): ((endpoint: Endpoint) => boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') {
    // Only a literal true allows: a predicate returning some other truthy value by mistake must not open the door.
    const predicate = value as (endpoint: Endpoint) => unknown;
    return (endpoint) => predicate(endpoint) === true;
  }
  if (!Array.isArray(value)) {
    throw new ConfigError(`${PREFIX}.allowedEndpoints`, `expected an array of patterns or a function, got ${describe(value)}`);
  }
  const matchers = value.map((pattern: unknown, i) => compilePattern(pattern, `${PREFIX}.allowedEndpoints[${i}]`));
  return (endpoint) => matchers.some((matches) => matches(endpoint));
}

type Matcher = (endpoint: Endpoint) => boolean;

const BAD_PATTERN = 'expected a hostname, *.domain, IP address or CIDR, with an optional :port';

function compilePattern(pattern: unknown, field: string): Matcher {
  if (typeof pattern !== 'string' || pattern === '') throw new ConfigError(field, `${BAD_PATTERN}, got ${describe(pattern)}`);
  if (pattern.includes('/')) return cidrMatcher(pattern, field);
  // A bare IPv6 address is never read as address:port here ("fd00::1:6379" is an address); use brackets for a port.
  if (isIP(pattern) !== 0) return addressMatcher(pattern, undefined);
  const wildcard = pattern.startsWith('*.');
  const parts = splitHostPort(wildcard ? pattern.slice(2) : pattern);
  if (parts === undefined || (wildcard && !isHostname(parts.host))) throw new ConfigError(field, `${BAD_PATTERN}, got ${describe(pattern)}`);
  const { host, port } = parts;
  if (isIP(host) !== 0) return addressMatcher(host, port);
  const name = host.toLowerCase();
  const hostMatches = wildcard
    ? (candidate: string) => candidate.length > name.length + 1 && candidate.endsWith(`.${name}`)
    : (candidate: string) => candidate === name;
  return (endpoint) => (port === undefined || endpoint.port === port) && hostMatches(endpoint.host.toLowerCase());
}

/** BlockList compares addresses, not spellings: `::1` matches `0:0:0:0:0:0:0:1`. */
function addressMatcher(address: string, port: number | undefined): Matcher {
  const list = new BlockList();
  list.addAddress(address, familyOf(address));
  return (endpoint) => (port === undefined || endpoint.port === port) && inList(list, endpoint.host);
}

function cidrMatcher(pattern: string, field: string): Matcher {
  const [network = '', prefixText = '', ...extra] = pattern.split('/');
  const version = isIP(network);
  const prefix = Number(prefixText);
  const maxPrefix = version === 4 ? 32 : 128;
  if (version === 0 || extra.length > 0 || !/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix) {
    throw new ConfigError(field, `expected a CIDR like 10.0.0.0/8 or fd00::/8 (prefix length 0 to ${maxPrefix}), got ${describe(pattern)}`);
  }
  const list = new BlockList();
  list.addSubnet(network, prefix, familyOf(network));
  return (endpoint) => inList(list, endpoint.host);
}

function inList(list: BlockList, host: string): boolean {
  return isIP(host) !== 0 && list.check(host, familyOf(host));
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

function listOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** A "did you mean" for a key within two edits of (or differing only in case from) a known one. */
function suggestion(key: string): string {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(lower, known.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Levenshtein distance, computed over one row. */
function editDistance(a: string, b: string): number {
  let row = [...Array(b.length + 1).keys()];
  for (const [i, ca] of [...a].entries()) {
    const next = [i + 1];
    for (const [j, cb] of [...b].entries()) {
      next.push(Math.min(row[j + 1]! + 1, next[j]! + 1, row[j]! + (ca === cb ? 0 : 1)));
    }
    row = next;
  }
  return row[b.length]!;
}
