/**
 * What cae-resp-proxy's `logger` interceptor prints (`[REQ]`/`[RES]`, CRLF as spaces), per
 * connection id and abbreviated, so a 4 KiB value or a 1000-command pipeline stays readable and a
 * busy test does not drown in log lines. Credentials in commands (AUTH, HELLO … AUTH, CONFIG SET
 * of a password, ACL SETUSER, MIGRATE … AUTH) are logged as `<redacted>`.
 */
import { redactArguments } from '../hooks/redact.js';
import { commandArgs } from './commands.js';

export type TrafficKind =
  /** A command from the client, as it sent it. */
  | 'REQ'
  /** A reply the client gets: the upstream's, or the proxy's own in its place. */
  | 'RES'
  /** A push the upstream sent (RESP3 pub/sub, invalidation). */
  | 'PUSH'
  /** Frames the simulator wrote itself: a notification or a /send-to-* payload. */
  | 'INJECTED';

/** Characters of a frame kept in a log line. */
export const TRAFFIC_LOG_CHARS = 120;

/** `buffer[start, end)` as one line: CRLF as spaces, other control bytes as `.`, cut at `max`. */
export function abbreviate(buffer: Buffer, start: number, end: number, max = TRAFFIC_LOG_CHARS): string {
  // Read a little more than `max`: every CRLF shrinks to one character.
  const text = buffer
    .toString('utf8', start, Math.min(end, start + max * 2))
    .replace(/\r\n/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, '.')
    .trimEnd();
  if (text.length <= max && end - start <= max * 2) return text;
  return `${text.slice(0, max)}… (${end - start} bytes)`;
}

/** One log line: `[simulator] <node id> <connection id> [<kind>] <frame>`. */
export function trafficLine(nodeId: string, connectionId: string, kind: TrafficKind, buffer: Buffer, start: number, end: number): string {
  const frame = kind === 'REQ' ? withoutCredentials(buffer, start, end) : undefined;
  const text = frame === undefined ? abbreviate(buffer, start, end) : abbreviate(frame, 0, frame.length);
  return `[simulator] ${nodeId} ${connectionId} [${kind}] ${text}`;
}

/** The command frame again with its credentials replaced, or undefined when it carries none. */
function withoutCredentials(buffer: Buffer, start: number, end: number): Buffer | undefined {
  const args = commandArgs(buffer, start, end);
  const name = (args[0] ?? '').toUpperCase();
  const redacted = redactArguments(args, name);
  if (redacted === args) return undefined;
  const parts = redacted.map((arg) => String(arg));
  return Buffer.from(`*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`);
}
