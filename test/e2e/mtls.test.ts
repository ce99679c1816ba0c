import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator, SimulatorError } from '../../src/simulator/index.js';
import { makeCertificate, type Certificate } from '../helpers/certificates.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';

/**
 * Mutual TLS toward clients: a node that requires client certificates refuses a client without
 * one, or with one its CA does not trust, during the handshake, and serves one with a trusted
 * certificate, on every address it listens on. Certificates are made by openssl for this run.
 */

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

let server: Certificate;
let trustedClient: Certificate;
let strangerClient: Certificate;
let redis: RedisServer;
const clients: RawClient[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = makeCertificate();
  trustedClient = makeCertificate(['hitless-test-client']);
  strangerClient = makeCertificate(['stranger']);
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const proc of children) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }
  await redis?.stop();
});

const withCertificate = (c: Certificate): tls.ConnectionOptions => ({ ca: server.cert, cert: c.cert, key: c.key });

async function served(host: string, port: number, options: tls.ConnectionOptions): Promise<RawClient> {
  const client = await RawClient.connectTls(host, port, options);
  clients.push(client);
  return client;
}

/**
 * Connects and tries a PING: resolves with what came back before the node hung up. In TLS 1.3 the
 * client's handshake can finish before the server has checked its certificate, so the refusal
 * may come as a failed connect or as a close right after it; never as a reply.
 */
async function refused(host: string, port: number, options: tls.ConnectionOptions): Promise<unknown[]> {
  let client: RawClient;
  try {
    client = await RawClient.connectTls(host, port, options);
  } catch {
    return [];
  }
  clients.push(client);
  client.send(['PING']);
  await client.waitClosed();
  return client.replies;
}

describe('mutual TLS (programmatic)', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await Simulator.start({
      nodes: [{
        upstream: { host: redis.host, port: redis.port },
        tls: { cert: server.cert, key: server.key, ca: [trustedClient.cert], requestCert: true },
      }],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('refuses a client without a certificate and one with an untrusted certificate; serves a trusted one', async () => {
    const node = sim.nodes()[0]!;
    expect(node).toMatchObject({ tls: true, clientCertificates: true });
    const failures = node.tlsHandshakeFailures;

    expect(await refused('127.0.0.1', node.port, { ca: server.cert })).toEqual([]);
    expect(await refused('127.0.0.1', node.port, withCertificate(strangerClient))).toEqual([]);
    await waitFor(() => sim.nodes()[0]!.tlsHandshakeFailures >= failures + 2, 'two refused handshakes counted');
    expect(sim.connections()).toEqual([]);

    const client = await served('127.0.0.1', node.port, withCertificate(trustedClient));
    await client.handshake('external-ip');
    expect(await client.call(['SET', 'mtls', 'yes'], ['GET', 'mtls'])).toEqual(['OK', 'yes']);
    expect(sim.connections()).toHaveLength(1);
    client.close();
    await waitFor(() => sim.connections().length === 0, 'the client to leave');
  });

  it('requires the certificate on the address MOVING announces too', async () => {
    const node = sim.nodes()[0]!;
    expect(await refused(node.ipHost, node.port, { ca: server.cert })).toEqual([]);
    const client = await served(node.ipHost, node.port, withCertificate(trustedClient));
    expect(await client.call(['PING'])).toEqual(['PONG']);
  });

  it('rejects requestCert without a CA to check client certificates against', async () => {
    const err = await Simulator.start({
      nodes: [{ upstream: { host: redis.host, port: redis.port }, tls: { cert: server.cert, key: server.key, requestCert: true } }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulatorError);
    expect((err as SimulatorError).code).toBe('ERR_SIM_BAD_INPUT');
    expect((err as SimulatorError).message).toContain('"tls.ca"');
  });
});

describe('mutual TLS (hitless simulate)', () => {
  it('--help documents --tls-require-client-cert', () => {
    const help = spawnSync(process.execPath, [...CLI, 'simulate', '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--tls-require-client-cert\s+mutual TLS: refuse clients without a certificate signed by --tls-ca/);
  });

  it('--tls-require-client-cert without --tls-ca is a usage error', () => {
    const result = spawnSync(process.execPath, [...CLI, 'simulate', '--upstream', redis.url, '--tls-cert', server.certFile,
      '--tls-key', server.keyFile, '--tls-require-client-cert'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--tls-require-client-cert needs');
  });

  it('--tls-ca + --tls-require-client-cert: a client without a certificate is refused, one with a trusted certificate is served', async () => {
    const [listenPort, controlPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, [...CLI, 'simulate', '--upstream', redis.url, '--listen', `127.0.0.1:${listenPort}`,
      '--control', `127.0.0.1:${controlPort}`, '--tls-cert', server.certFile, '--tls-key', server.keyFile,
      '--tls-ca', trustedClient.certFile, '--tls-require-client-cert'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('control API'), `the simulator to start (output: ${output})`, 20_000);
    expect(output).toContain('(TLS, client certificates required)');

    expect(await refused('127.0.0.1', listenPort, { ca: server.cert })).toEqual([]);
    expect(await refused('127.0.0.1', listenPort, withCertificate(strangerClient))).toEqual([]);
    const client = await served('127.0.0.1', listenPort, withCertificate(trustedClient));
    expect(await client.call(['SET', 'cli-mtls', 'yes'], ['GET', 'cli-mtls'])).toEqual(['OK', 'yes']);
  });
});
