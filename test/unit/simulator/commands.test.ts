import { describe, expect, it } from 'vitest';
import { encodeCommands } from '../../../src/protocol/index.js';
import { CommandKind, classify, commandArgs, ossMaintError, parseMaintHandshake } from '../../../src/simulator/commands.js';

const frame = (...args: string[]): Buffer => encodeCommands([args]);
const kind = (b: Buffer): CommandKind => classify(b, 0, b.length);

describe('command classification', () => {
  it('spots the commands the proxy handles, in any case, RESP or inline', () => {
    expect(kind(frame('client', 'maint_notifications', 'on'))).toBe(CommandKind.Client);
    expect(kind(frame('CLUSTER', 'slots'))).toBe(CommandKind.ClusterSlots);
    expect(kind(frame('CLUSTER', 'SHARDS'))).toBe(CommandKind.Other);
    expect(kind(frame('ssubscribe', 'ch'))).toBe(CommandKind.Other);
    expect(kind(frame('GET', 'client'))).toBe(CommandKind.Other);
    expect(kind(Buffer.from('client maint_notifications on\r\n'))).toBe(CommandKind.Client);
    expect(commandArgs(Buffer.from('PING  hello\r\n'), 0, 13)).toEqual(['PING', 'hello']);
  });

  it('reads arguments with binary-safe lengths', () => {
    const b = frame('SET', 'k\r\n', 'h\u00e9');
    expect(commandArgs(b, 0, b.length)).toEqual(['SET', 'k\r\n', 'h\u00e9']);
  });
});

describe('CLIENT MAINT_NOTIFICATIONS parsing', () => {
  it('accepts both ON forms and OFF, any case', () => {
    expect(parseMaintHandshake(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'])).toEqual({ kind: 'on', endpointType: undefined });
    expect(parseMaintHandshake(['client', 'Maint_Notifications', 'on', 'Moving-Endpoint-Type', 'INTERNAL-IP'])).toEqual({ kind: 'on', endpointType: 'internal-ip' });
    expect(parseMaintHandshake(['CLIENT', 'MAINT_NOTIFICATIONS', 'off'])).toEqual({ kind: 'off' });
  });

  it('rejects malformed ones and ignores other subcommands', () => {
    expect(parseMaintHandshake(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type'])).toEqual({ kind: 'error', message: 'ERR syntax error' });
    expect(parseMaintHandshake(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'x']).kind).toBe('error');
    expect(parseMaintHandshake(['CLIENT', 'SETNAME', 'x'])).toEqual({ kind: 'not-maint' });
    expect(ossMaintError('maint_notifications')).toBe("ERR unknown subcommand 'maint_notifications'. Try CLIENT HELP.");
  });
});
