import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, createClient, ReplyError } from '../../src/index.js';
import { makeCertificate, type Certificate } from '../helpers/certificates.js';
import { connectedClient, track } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('requirepass and ACL users', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ args: ['--requirepass', 's3cret', '--user', 'alice', 'on', '>wonderland', '~*', '&*', '+@all'] });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('authenticates the default user with password', async () => {
    const client = await connectedClient({ port: redis.port, password: 's3cret' });
    expect(await client.ping()).toBe('PONG');
  });

  it('authenticates an ACL user from the URL', async () => {
    const client = await connectedClient({ url: `redis://alice:wonderland@127.0.0.1:${redis.port}` });
    expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe('alice');
  });

  it('a wrong password fails connect() with WRONGPASS and does not fall back to RESP2', async () => {
    const client = track(createClient({ port: redis.port, password: 'nope', reconnect: false }));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as ReplyError).code).toBe('WRONGPASS');
  });

  it('no password fails connect() with NOAUTH', async () => {
    const client = track(createClient({ port: redis.port, reconnect: false }));
    await expect(client.connect()).rejects.toMatchObject({ code: 'NOAUTH' });
  });
});

describe('TLS', () => {
  let redis: RedisServer;
  let certificate: Certificate;
  beforeAll(async () => {
    certificate = makeCertificate();
    redis = await startRedis({ tls: certificate });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('connects with rediss:// and a trusted CA', async () => {
    const client = await connectedClient({ url: redis.url, tls: { ca: certificate.cert } });
    expect(await client.set('tls', 'yes')).toBe('OK');
    expect(await client.get('tls')).toBe('yes');
  });

  it('rejects a certificate it does not trust, naming the endpoint', async () => {
    const client = track(createClient({ url: redis.url, reconnect: false }));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(`127.0.0.1:${redis.port}`);
  });

  it('verifies the host it dials: a trusted CA whose certificate does not name that host is refused', async () => {
    const localhostOnly = makeCertificate(['localhost']);
    const named = await startRedis({ tls: localhostOnly });
    try {
      const client = track(createClient({ host: '127.0.0.1', port: named.port, tls: { ca: localhostOnly.cert }, reconnect: false }));
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/altnames/);
      const byName = await connectedClient({ host: 'localhost', port: named.port, tls: { ca: localhostOnly.cert } });
      expect(await byName.ping()).toBe('PONG');
    } finally {
      await named.stop();
    }
  });

  it('turning verification off is explicit (rejectUnauthorized: false) and then connects to an untrusted certificate', async () => {
    const client = await connectedClient({ url: redis.url, tls: { rejectUnauthorized: false } });
    expect(await client.ping()).toBe('PONG');
  });

  it('tls: true with a plain-TCP client against the TLS port fails cleanly', async () => {
    const client = track(createClient({ port: redis.port, reconnect: false, connectTimeout: 500 }));
    await expect(client.connect()).rejects.toBeInstanceOf(Error);
  });
});
