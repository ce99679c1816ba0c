import { isIP } from 'node:net';
import type { Endpoint } from '../connection/types.js';
import type { RespValue } from '../protocol/types.js';
import { describeValue as describe } from '../errors.js';
import { NotificationError } from './errors.js';

/** The seven maintenance push notifications, by the name the server puts in element 0. */
export const NOTIFICATION_TYPES = ['MOVING', 'MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED'] as const;

/** One of `NOTIFICATION_TYPES`. */
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The node is moving: the connection should be handed off to `endpoint` within `timeS` seconds. */
export interface MovingNotification {
  readonly type: 'MOVING';
  readonly seq: number;
  readonly timeS: number;
  /** null when the server sent none (endpoint type `none`): reconnect to the configured address. */
  readonly endpoint: Endpoint | null;
}

/** A migration or failover starts: relax this connection's timeouts. */
export interface MaintenanceStartNotification {
  readonly type: 'MIGRATING' | 'FAILING_OVER';
  readonly seq: number;
  /** Seconds the window lasts; 0 or negative for a connection that joined late. */
  readonly timeS: number | undefined;
  /** The server's shard list, as sent (a JSON array in a string). */
  readonly shards: string | undefined;
}

/** A migration or failover ended: clear this connection's relaxation. */
export interface MaintenanceEndNotification {
  readonly type: 'MIGRATED' | 'FAILED_OVER';
  readonly seq: number;
  readonly shards: string | undefined;
}

/** Cluster slots are being migrated away from this node (OSS cluster API). */
export interface SlotMigratingNotification {
  readonly type: 'SMIGRATING';
  readonly seq: number;
  /** Each entry is valid for `validSlotRanges`: "123", "1000-2000", "1,5-9". */
  readonly slots: readonly string[];
}

/** One entry of SMIGRATED: `slots` now live at `destination`. */
export interface SlotMove {
  /** undefined for the older two-element entry `[destination, slots]`. */
  readonly source: Endpoint | undefined;
  readonly destination: Endpoint;
  readonly slots: string;
}

/** A cluster slot migration finished: the topology must be reloaded. */
export interface SlotMigratedNotification {
  readonly type: 'SMIGRATED';
  readonly seq: number;
  readonly moves: readonly SlotMove[];
}

/** A parsed, validated maintenance notification, discriminated by `type`. */
export type Notification =
  | MovingNotification
  | MaintenanceStartNotification
  | MaintenanceEndNotification
  | SlotMigratingNotification
  | SlotMigratedNotification;

const TYPE_NAMES: ReadonlySet<string> = new Set(NOTIFICATION_TYPES);
const TYPE_BYTES = NOTIFICATION_TYPES.map((name) => ({ name, bytes: Buffer.from(name, 'latin1') }));
const SHORTEST = 6;
const LONGEST = 12;

function isNotificationType(text: string): text is NotificationType {
  return TYPE_NAMES.has(text);
}

/**
 * The maintenance type of a push frame, or undefined for any other push (pub/sub messages…). It
 * runs for every push frame, so it rejects by length and first letter before any lookup, and
 * compares Buffers byte-wise instead of decoding them.
 */
export function notificationType(frame: readonly RespValue[]): NotificationType | undefined {
  const first = frame[0];
  if (typeof first === 'string') {
    if (first.length < SHORTEST || first.length > LONGEST) return undefined;
    const initial = first.charCodeAt(0);
    // Every type starts with M, F or S; pub/sub kinds are lower case.
    if (initial !== 0x4d && initial !== 0x46 && initial !== 0x53) return undefined;
    return isNotificationType(first) ? first : undefined;
  }
  if (Buffer.isBuffer(first) && first.length >= SHORTEST && first.length <= LONGEST) {
    for (const { name, bytes } of TYPE_BYTES) {
      if (bytes.length === first.length && bytes.equals(first)) return name;
    }
  }
  return undefined;
}

/**
 * Validates a maintenance push frame and returns it typed. Throws `NotificationError` naming the
 * type and the offending field; elements after the ones a type defines are ignored, so servers may
 * append fields.
 */
export function parseNotification(frame: readonly RespValue[]): Notification {
  const type = notificationType(frame);
  if (type === undefined) {
    const first = frame[0];
    const name = typeof first === 'string' || Buffer.isBuffer(first) ? first.toString() : '';
    throw new NotificationError(name, 'type', `push notification: type ${describe(first)} is not one of ${NOTIFICATION_TYPES.join(', ')}`);
  }
  return PARSERS[type](new Fields(type, frame));
}

/**
 * The longest maintenance time a notification may announce, in seconds: one day. Real ones are
 * seconds to minutes; a larger value is a broken server, and would overflow Node's timers (which
 * then fire at once, with a warning).
 */
export const MAX_TIME_S = 86_400;

const PARSERS: { readonly [T in NotificationType]: (fields: Fields) => Notification } = {
  MOVING: (f) => ({ type: 'MOVING', seq: f.seq(), timeS: f.timeS(), endpoint: f.movingEndpoint() }),
  MIGRATING: (f) => f.start('MIGRATING'),
  FAILING_OVER: (f) => f.start('FAILING_OVER'),
  MIGRATED: (f) => f.end('MIGRATED'),
  FAILED_OVER: (f) => f.end('FAILED_OVER'),
  SMIGRATING: (f) => ({ type: 'SMIGRATING', seq: f.seq(), slots: f.slotLists() }),
  SMIGRATED: (f) => ({ type: 'SMIGRATED', seq: f.seq(), moves: f.moves() }),
};

/** Reads the elements of one frame, throwing a NotificationError that names the field. */
class Fields {
  constructor(
    private readonly type: NotificationType,
    private readonly frame: readonly RespValue[],
  ) {}

  seq(): number {
    const value = this.required(1, 'seq');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail('seq', `must be an integer >= 0, got ${describe(value)}`);
    }
    return value;
  }

  /** MOVING's time_s: an integer up to MAX_TIME_S (a time already past, below 0, means now). */
  timeS(): number {
    const value = this.required(2, 'time_s');
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail('time_s', `must be an integer, got ${describe(value)}`);
    if (value > MAX_TIME_S) this.fail('time_s', `must be at most ${MAX_TIME_S} seconds, got ${value}`);
    return value;
  }

  start(type: MaintenanceStartNotification['type']): MaintenanceStartNotification {
    // Fixtures of other clients put a string at index 2, so the optional parts are taken only when
    // well typed; an absurd time is left out the same way (the window then ends on its completion
    // notification, or on the backstop of relaxed timeouts).
    const time = this.frame[2];
    const timeS = typeof time === 'number' && Number.isSafeInteger(time) && time <= MAX_TIME_S ? time : undefined;
    return { type, seq: this.seq(), timeS, shards: optionalText(this.frame[3]) };
  }

  end(type: MaintenanceEndNotification['type']): MaintenanceEndNotification {
    return { type, seq: this.seq(), shards: optionalText(this.frame[2]) };
  }

  movingEndpoint(): Endpoint | null {
    const value = this.frame[3];
    return value === undefined || value === null ? null : this.endpoint(value, 'endpoint', 'endpoint');
  }

  slotLists(): string[] {
    this.required(2, 'slots');
    return this.frame.slice(2).map((value, i) => this.slots(value, `slots[${i}]`, `slots[${i}]`));
  }

  moves(): SlotMove[] {
    const entries = this.required(2, 'moves');
    if (!Array.isArray(entries)) this.fail('moves', `must be an array, got ${describe(entries)}`);
    if (entries.length === 0) this.fail('moves', 'is empty');
    return entries.map((entry, i) => this.move(entry, `moves[${i}]`));
  }

  private move(entry: RespValue, field: string): SlotMove {
    if (!Array.isArray(entry) || (entry.length !== 2 && entry.length !== 3)) {
      this.fail(field, `must be [source, destination, slots] or [destination, slots], got ${describe(entry)}`);
    }
    const pair = entry.length === 2;
    const source = pair ? undefined : this.endpoint(entry[0], field, `${field} source`);
    return {
      source,
      destination: this.endpoint(entry[pair ? 0 : 1], field, `${field} destination`),
      slots: this.slots(entry[pair ? 1 : 2], field, `${field} slots`),
    };
  }

  private endpoint(value: RespValue | undefined, field: string, label: string): Endpoint {
    const text = this.text(value, field, label);
    const endpoint = parseEndpoint(text);
    if (endpoint === undefined) this.fail(field, `${describe(text)} is not host:port`, label);
    return endpoint;
  }

  private slots(value: RespValue | undefined, field: string, label: string): string {
    const text = this.text(value, field, label);
    if (!validSlotRanges(text)) this.fail(field, `${describe(text)} is not a list of slots or ranges from 0 to 16383`, label);
    return text;
  }

  private text(value: RespValue | undefined, field: string, label: string): string {
    const text = optionalText(value);
    if (text === undefined) this.fail(field, `must be a string, got ${describe(value)}`, label);
    return text;
  }

  private required(index: number, field: string): RespValue {
    const value = this.frame[index];
    if (value === undefined) this.fail(field, 'is missing');
    return value;
  }

  private fail(field: string, problem: string, label = field): never {
    throw new NotificationError(this.type, field, `${this.type}: ${label} ${problem}`);
  }
}

function optionalText(value: RespValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

const PORT = /^[1-9]\d{0,4}$/;
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * Splits and validates `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address with a port
 * after its last colon (see `parseEndpoint`). The host comes back without brackets; port is
 * undefined when none was given. Undefined when the host or the port is not valid.
 */
export function splitHostPort(text: string): { host: string; port: number | undefined } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (close < 0 || isIP(host) !== 6) return undefined;
    return rest === '' ? { host, port: undefined } : withPort(host, rest.startsWith(':') ? rest.slice(1) : '');
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return isHostOrIPv4(text) ? { host: text, port: undefined } : undefined;
  const host = text.slice(0, colon);
  if (text.indexOf(':') === colon) return isHostOrIPv4(host) ? withPort(host, text.slice(colon + 1)) : undefined;
  if (isIP(host) === 6) return withPort(host, text.slice(colon + 1));
  return isIP(text) === 6 ? { host: text, port: undefined } : undefined;
}

/**
 * Parses "host:port", "[v6]:port", or a bare IPv6 address followed by ":port". A bare IPv6 text is
 * ambiguous ("2001:db8::1:6379" is also a valid address): it is read as address + port whenever
 * the part before the last colon is an IPv6 address by itself, because an endpoint needs a port.
 * Servers send brackets or a name in practice. Undefined unless host and port (1..65535) are valid.
 */
export function parseEndpoint(text: string): Endpoint | undefined {
  const parts = splitHostPort(text);
  return parts?.port === undefined ? undefined : { host: parts.host, port: parts.port };
}

function withPort(host: string, port: string): { host: string; port: number } | undefined {
  const n = Number(port);
  return PORT.test(port) && n <= 65_535 ? { host, port: n } : undefined;
}

function isHostOrIPv4(host: string): boolean {
  return isIP(host) === 4 || isHostname(host);
}

/** DNS labels (letters, digits, `-`, `_`), at most 253 characters; an all-digit last label would be a broken IPv4. */
export function isHostname(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

const SLOT_RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const MAX_SLOT = 16_383;

/** True for comma-separated slots and ranges (`n` or `n-m`, 0..16383, n <= m), e.g. "1,5-9". */
export function validSlotRanges(text: string): boolean {
  if (text.length === 0) return false;
  return text.split(',').every((part) => {
    const match = SLOT_RANGE.exec(part);
    if (match === null) return false;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    return from <= to && to <= MAX_SLOT;
  });
}
