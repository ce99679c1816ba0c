/**
 * A known password through everything a client shows its host: every error (message, stack,
 * cause chain, util.inspect), every event payload, and util.inspect of the client itself, while
 * the client connects, is refused, loses its server and reconnects. Spans, metrics and logs are
 * checked by test/e2e/observability-secrets.test.ts.
 */
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConnectionError, createClient, ReplyError, type Client } from '../../src/index.js';
import { connectedClient, track } from '../helpers/clients.js';
import { useRedis } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const PASSWORD = 'hostile-S3cret-in-no-error-4d1c';
const ACL_PASSWORD = 'acl-S3cret-in-no-error-9b27';
const redis = useRedis({ password: PASSWORD });

/** Everything a secret could hide in: message, stack, causes, own properties, util.inspect. */
const shown = (value: unknown): string => {
  const text = util.inspect(value, { depth: Infinity, showHidden: true, getters: true });
  return value instanceof Error ? `${text}\n${value.stack ?? ''}\n${JSON.stringify(value)}` : text;
};

function configError(options: unknown): Error {
  try {
    createClient(options as never);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`createClient accepted ${String(options)}`);
}

describe('credentials never shown', () => {
  it('are in no error, event or inspection of the client, through refusal, loss and reconnection', async () => {
    const outputs: Record<string, string> = {};
    const port = redis.server.port;

    // Options that are wrong around a password.
    const badUrl = configError(`redis://user:${PASSWORD}@localhost:notaport`);
    const badDb = configError(`redis://user:${PASSWORD}@localhost:${port}/zero`);
    const badPassword = configError({ password: { value: PASSWORD } });
    const badTls = configError({ tls: `-----BEGIN PRIVATE KEY-----${PASSWORD}` });
    for (const error of [badUrl, badDb, badPassword, badTls]) expect(error).toBeInstanceOf(ConfigError);
    expect(badUrl.message).toContain('redis://user:***@localhost:notaport');
    expect(badDb.message).toContain('database "zero"');
    outputs.configErrors = [badUrl, badDb, badPassword, badTls].map(shown).join('\n');

    // Refused: a wrong password that contains the right one, for the default user and an ACL user.
    await redis.direct.sendCommand(['ACL', 'SETUSER', 'hostile-user', 'on', `>${ACL_PASSWORD}`, '~*', '+@all']);
    const refusals: Error[] = [];
    for (const options of [{ password: `${PASSWORD}-wrong` }, { username: 'hostile-user', password: `${ACL_PASSWORD}-wrong` }]) {
      const refused = track(createClient({ port, reconnect: false, ...options }));
      refusals.push(await refused.connect().then(() => new Error('connected'), (e: unknown) => e as Error));
      outputs[`refused client ${options.username ?? 'default'}`] = shown(refused);
    }
    for (const error of refusals) expect(error).toBeInstanceOf(ReplyError);
    expect(refusals.map((e) => (e as ReplyError).code)).toEqual(['WRONGPASS', 'WRONGPASS']);
    outputs.refusals = refusals.map(shown).join('\n');

    // Accepted, by options and by URL; then the server dies under them and comes back.
    const events: unknown[] = [];
    const clients: Client[] = [
      await connectedClient({ port, password: PASSWORD, reconnect: { initialDelay: 5, maxDelay: 50 } }),
      await connectedClient({ url: `redis://hostile-user:${ACL_PASSWORD}@127.0.0.1:${port}`, reconnect: { initialDelay: 5, maxDelay: 50 } }),
    ];
    for (const client of clients) {
      for (const name of ['error', 'reconnecting', 'end', 'ready'] as const) client.on(name, (...args: unknown[]) => void events.push({ name, args }));
      expect(await client.set('secrets:k', 'v')).toBe('OK');
    }
    outputs.connectedClients = clients.map(shown).join('\n');
    // Commands written and waiting when the server dies (a GET issued after it died would wait in
    // the offline queue for the reconnect instead): a blocking pop each, seen blocked by the server.
    const waiting = clients.map((client) => client.blPop('secrets:never', 0).catch((e: unknown) => e as Error));
    await waitFor(async () => /blocked_clients:2\r/.test(String(await redis.direct.info('clients'))), 'both pops to block');
    await redis.server.kill();
    const lost = await Promise.all(waiting);
    for (const error of lost) expect(error).toBeInstanceOf(ConnectionError);
    await waitFor(() => events.some((e) => (e as { name: string }).name === 'reconnecting'), 'a reconnect attempt');
    await redis.server.restart();
    // The restarted server forgot the ACL user: create it again for the second client's reconnect.
    await waitFor(() => redis.direct.isReady, 'the direct client to reconnect');
    await redis.direct.sendCommand(['ACL', 'SETUSER', 'hostile-user', 'on', `>${ACL_PASSWORD}`, '~*', '+@all']);
    await waitFor(() => clients.every((client) => client.isReady), 'both clients to reconnect');
    for (const client of clients) expect(await client.get('secrets:k')).toBe(null); // the restarted server kept nothing
    outputs.lostCommands = lost.map(shown).join('\n');
    outputs.events = shown(events);
    outputs.reconnectedClients = clients.map(shown).join('\n');

    // Each output holds its scenario, so an empty one cannot pass...
    expect(outputs.configErrors).toContain('ERR_CONFIG');
    expect(outputs.refusals).toContain('WRONGPASS');
    expect(outputs.lostCommands).toContain(`127.0.0.1:${port}`);
    expect(outputs.events).toContain('reconnecting');
    expect(outputs.connectedClients).toContain('Client');
    // ...and neither password, nor the wrong ones built from them.
    for (const [output, text] of Object.entries(outputs)) {
      expect(text.includes(PASSWORD), `${output} holds the password`).toBe(false);
      expect(text.includes(ACL_PASSWORD), `${output} holds the ACL password`).toBe(false);
    }
  });
});
