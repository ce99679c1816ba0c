import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { HELLO_REPLY, startFakeServer } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/wait.js';

describe('a server that sends garbage', () => {
  it('fails the pending command with ProtocolError, reconnects, and keeps serving', async () => {
    // First connection: answers the handshake, then garbage to GET. Later ones behave.
    const server = await startFakeServer((command, connection) => {
      if (command[0] === 'HELLO') return HELLO_REPLY;
      if (command[0] === 'CLIENT') return '+OK\r\n';
      if (command[0] === 'GET') return connection === 0 ? '?this is not RESP\r\n' : '$2\r\nok\r\n';
      return '-ERR unexpected\r\n';
    });
    try {
      const client = await connectedClient({ port: server.port, reconnect: { initialDelay: 5, maxDelay: 10 } });
      const errors: Error[] = [];
      client.on('error', (e) => errors.push(e));
      const error = await client.get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe('ERR_PROTOCOL');
      await waitFor(() => client.isReady, 'reconnect after the protocol error');
      expect(await client.get('k')).toBe('ok');
      expect(errors.some((e) => e instanceof ProtocolError)).toBe(true);
      expect(server.connections).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('an unsolicited reply with no command waiting is a protocol error, not a crash', async () => {
    const server = await startFakeServer((command, connection) => {
      if (command[0] === 'HELLO') return HELLO_REPLY;
      if (command[0] === 'CLIENT') return '+OK\r\n';
      if (command[0] === 'PING') return connection === 0 ? '+PONG\r\n+EXTRA\r\n' : '+PONG\r\n';
      return '+OK\r\n';
    });
    try {
      const client = await connectedClient({ port: server.port, reconnect: { initialDelay: 5, maxDelay: 10 } });
      expect(await client.ping()).toBe('PONG');
      await waitFor(() => server.connections === 2 && client.isReady, 'reconnect after the stray reply');
      expect(await client.ping()).toBe('PONG');
    } finally {
      await server.close();
    }
  });
});
