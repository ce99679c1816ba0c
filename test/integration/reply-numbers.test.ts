/**
 * Scores from a server that sends something other than a number: each is a ProtocolError for that
 * command (never NaN handed to the caller), the stream stays in step, and real numbers in every
 * form Redis writes them (integers, decimals, exponents, inf, a RESP3 double) still decode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** A RESP2 server whose ZSCORE answers the member's name back as the score. */
async function echoingScores(): Promise<HostileServer> {
  const server = await startHostileServer((command, socket) => {
    if (command[0] === 'ZSCORE') socket.write(bulk(command[2]!));
    else if (command[0] === 'ZMSCORE') socket.write(`*${command.length - 2}\r\n${command.slice(2).map(bulk).join('')}`);
    else if (command[0] === 'ZINCRBY') socket.write(bulk(command[3]!));
    else return false;
    return true;
  }, { resp2: true });
  servers.push(server);
  return server;
}

describe('number replies', () => {
  it.each(['abc', '12abc', '', ' 1', '1 ', '--1', '0x'])('a score of %j fails that command with a ProtocolError', async (score) => {
    const server = await echoingScores();
    const client = await connectedClient({ port: server.port });
    for (const call of [() => client.zScore('z', score), () => client.zIncrBy('z', 1, score), () => client.zMScore('z', ['1', score])]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toContain(`expected a number, got ${JSON.stringify(score)}`);
    }
    // The frames were well-formed: the same connection goes on answering.
    expect(await client.zScore('z', '2.5')).toBe(2.5);
    expect(server.connections).toBe(1);
    await client.close();
  });

  it('every form a server writes a number in still decodes', async () => {
    const server = await echoingScores();
    const client = await connectedClient({ port: server.port });
    expect(await client.zMScore('z', ['1', '-2.5', '1e3', '3.0000000000000004', 'inf', '+inf', '-inf', '-0'])).toEqual([
      1, -2.5, 1000, 3.0000000000000004, Infinity, Infinity, -Infinity, -0,
    ]);
    expect(await client.zScore('z', 'nan')).toBeNaN();
    await client.close();
  });

  it('a long non-number is cut in the message, not quoted whole', async () => {
    const server = await echoingScores();
    const client = await connectedClient({ port: server.port });
    const error = (await client.zScore('z', 'x'.repeat(10_000)).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message.length).toBeLessThan(200);
    await client.close();
  });
});
