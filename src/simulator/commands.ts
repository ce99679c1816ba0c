import { ENDPOINT_TYPES, type EndpointType } from './types.js';

/**
 * Just enough understanding of client commands for the proxy: which ones it answers itself
 * (`CLIENT MAINT_NOTIFICATIONS`, `CLUSTER SLOTS`). Everything else is forwarded untouched, so the
 * common path only looks at the length of the first argument. (Reply order needs no model of
 * the other commands: see LocalReplies.)
 */

export const enum CommandKind {
  Other,
  Client,
  ClusterSlots,
}

/** Classifies the command frame `buffer[start, end)` (RESP array or inline). */
export function classify(buffer: Buffer, start: number, end: number): CommandKind {
  let first: string | undefined;
  if (buffer[start] === 0x2a) {
    // *N\r\n$L\r\n<arg>: only read the argument when its length can be one we care about.
    const lenAt = buffer.indexOf(0x0a, start) + 1;
    if (lenAt <= 0 || buffer[lenAt] !== 0x24) return CommandKind.Other;
    const cr = buffer.indexOf(0x0d, lenAt);
    const len = Number(buffer.toString('latin1', lenAt + 1, cr));
    // CLIENT and CLUSTER are the only names of interest.
    if (len < 6 || len > 7 || cr + 2 + len > end) return CommandKind.Other;
    first = buffer.toString('latin1', cr + 2, cr + 2 + len).toUpperCase();
  } else {
    first = inlineArgs(buffer, start, end)[0]?.toUpperCase();
  }
  if (first === 'CLIENT') return CommandKind.Client;
  if (first === 'CLUSTER') {
    const args = commandArgs(buffer, start, end);
    return args.length === 2 && args[1]!.toUpperCase() === 'SLOTS' ? CommandKind.ClusterSlots : CommandKind.Other;
  }
  return CommandKind.Other;
}

/** All arguments of a command frame as strings (UTF-8). */
export function commandArgs(buffer: Buffer, start: number, end: number): string[] {
  if (buffer[start] !== 0x2a) return inlineArgs(buffer, start, end);
  const args: string[] = [];
  let pos = buffer.indexOf(0x0a, start) + 1;
  const count = Number(buffer.toString('latin1', start + 1, pos - 2));
  for (let i = 0; i < count && pos < end; i++) {
    const cr = buffer.indexOf(0x0d, pos);
    const len = Number(buffer.toString('latin1', pos + 1, cr));
    args.push(buffer.toString('utf8', cr + 2, cr + 2 + len));
    pos = cr + 4 + len;
  }
  return args;
}

function inlineArgs(buffer: Buffer, start: number, end: number): string[] {
  return buffer.toString('utf8', start, end).trim().split(/\s+/).filter((s) => s.length > 0);
}

export type MaintHandshake =
  | { kind: 'on'; endpointType: EndpointType | undefined }
  | { kind: 'off' }
  | { kind: 'error'; message: string }
  | { kind: 'not-maint' };

/**
 * Parses `CLIENT MAINT_NOTIFICATIONS ON [moving-endpoint-type <t>]` and `... OFF`, any letter
 * case. `error` carries the reply text for a malformed one.
 */
export function parseMaintHandshake(args: readonly string[]): MaintHandshake {
  if (args.length < 2 || args[1]!.toUpperCase() !== 'MAINT_NOTIFICATIONS') return { kind: 'not-maint' };
  const mode = args[2]?.toUpperCase();
  if (mode === 'OFF' && args.length === 3) return { kind: 'off' };
  if (mode === 'ON' && args.length === 3) return { kind: 'on', endpointType: undefined };
  if (mode === 'ON' && args.length === 5 && args[3]!.toLowerCase() === 'moving-endpoint-type') {
    const type = args[4]!.toLowerCase() as EndpointType;
    if (ENDPOINT_TYPES.includes(type)) return { kind: 'on', endpointType: type };
    return { kind: 'error', message: `ERR invalid moving-endpoint-type '${args[4]}', expected one of ${ENDPOINT_TYPES.join(', ')}` };
  }
  return { kind: 'error', message: 'ERR syntax error' };
}

/** What open-source Redis answers (`CLIENT HELP` hint included), with the subcommand as sent. */
export const ossMaintError = (subcommand: string): string =>
  `ERR unknown subcommand '${subcommand}'. Try CLIENT HELP.`;
