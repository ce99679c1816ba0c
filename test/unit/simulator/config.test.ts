import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/args.js';
import { actionRequest } from '../../../src/cli/trigger.js';
import { parseHostPort, parseUpstream, simulateConfig } from '../../../src/simulator/config.js';
import { SimulatorError } from '../../../src/simulator/index.js';

describe('simulate configuration', () => {
  it('reads our flags: one node per --listen address', () => {
    const { options, endpointsConfig } = simulateConfig(parseArgs(['--upstream', 'redis://127.0.0.1:7000', '--listen', '127.0.0.1:16379,127.0.0.2:16380',
      '--control', '127.0.0.1:18100', '--endpoints-config', '/tmp/e.json', '--moving-time-s', '1', '--oss']).flags, {});
    expect(options.nodes).toEqual([
      { upstream: { host: '127.0.0.1', port: 7000 }, listen: [{ host: '127.0.0.1', port: 16379 }], maintSupport: 'oss' },
      { upstream: { host: '127.0.0.1', port: 7000 }, listen: [{ host: '127.0.0.2', port: 16380 }], maintSupport: 'oss' },
    ]);
    expect(options.control).toEqual({ host: '127.0.0.1', port: 18100 });
    expect(options.timings).toEqual({ movingTimeS: 1 });
    expect(endpointsConfig).toBe('/tmp/e.json');
  });

  it("reads cae-resp-proxy's environment, and its camelCase flags over it", () => {
    const env = { LISTEN_PORT: '17000,17001', LISTEN_HOST: '0.0.0.0', TARGET_HOST: 'redis', TARGET_PORT: '6379', API_PORT: '3000', TIMEOUT: '0', DEFAULT_INTERCEPTORS: 'cluster,hitless' };
    const fromEnv = simulateConfig({}, env).options;
    expect(fromEnv.nodes!.map((n) => n.listen)).toEqual([[{ host: '0.0.0.0', port: 17000 }], [{ host: '0.0.0.0', port: 17001 }]]);
    expect(fromEnv.nodes![0]).toMatchObject({ upstream: { host: 'redis', port: 6379 }, idleTimeoutMs: 0 });
    expect(fromEnv.control).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(fromEnv.defaultInterceptors).toEqual(['cluster', 'hitless']);
    const flags = simulateConfig(parseArgs(['--listenPort=15379', '--apiPort', '4000', '--target-host', 'other']).flags, env).options;
    expect(flags.nodes!.map((n) => n.listen![0]!.port)).toEqual([15379]);
    expect(flags.nodes![0]!.upstream.host).toBe('other');
    expect(flags.control!.port).toBe(4000);
  });

  it('rejects bad values with ERR_SIM_BAD_INPUT naming the field', () => {
    const bad = (flags: string[], env = {}): SimulatorError => {
      try {
        simulateConfig(parseArgs(flags).flags, env);
      } catch (err) {
        return err as SimulatorError;
      }
      throw new Error('no error');
    };
    expect(bad([]).code).toBe('ERR_SIM_BAD_INPUT');
    expect(bad(['--upstream', 'redis://h:1', '--listen', 'h']).message).toContain('--listen');
    expect(bad(['--upstream', 'redis://h:1', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']).message).toContain('--tls-cert: cannot read');
    expect(bad([], { TARGET_HOST: 'h', TARGET_PORT: '1', DEFAULT_INTERCEPTORS: 'magic' }).message).toContain('magic');
    expect(bad(['--upstream', 'redis://h:1', '--migrate-wait-ms', '-5']).message).toContain('--migrate-wait-ms');
  });

  it('parses host:port, IPv6 included, and redis URLs', () => {
    expect(parseHostPort('[::1]:6380', 'x')).toEqual({ host: '::1', port: 6380 });
    expect(parseUpstream('redis://localhost')).toEqual({ host: 'localhost', port: 6379, tls: false });
    expect(parseUpstream('rediss://[::1]:7001')).toEqual({ host: '::1', port: 7001, tls: true });
    expect(parseUpstream('127.0.0.1:7')).toEqual({ host: '127.0.0.1', port: 7, tls: false });
  });

  it('reads --tls-cert/--tls-key for every node (and nodes added over the API), --tls-ca for a rediss:// upstream', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-config-'));
    try {
      const file = (name: string): string => {
        writeFileSync(path.join(dir, name), `${name} contents`);
        return path.join(dir, name);
      };
      const [cert, key, ca] = [file('cert.pem'), file('key.pem'), file('ca.pem')];
      const { options } = simulateConfig(parseArgs(['--upstream', 'rediss://127.0.0.1:7000', '--listen', '127.0.0.1:1,127.0.0.1:2',
        '--tls-cert', cert, '--tls-key', key, '--tls-ca', ca]).flags, {});
      const tls = { cert: Buffer.from('cert.pem contents'), key: Buffer.from('key.pem contents'), ca: Buffer.from('ca.pem contents') };
      for (const node of options.nodes!) {
        expect(node).toMatchObject({ upstream: { host: '127.0.0.1', port: 7000 }, tls, upstreamTls: { ca: tls.ca } });
      }
      expect(options.proxyDefaults).toMatchObject({ tls, upstreamTls: { ca: tls.ca } });
      // A rediss:// upstream alone trusts Node's CAs; plain flags leave both sides plain.
      expect(simulateConfig(parseArgs(['--upstream', 'rediss://h:1']).flags, {}).options.nodes![0]!.upstreamTls).toEqual({});
      const plain = simulateConfig(parseArgs(['--upstream', 'redis://h:1']).flags, {}).options.nodes![0]!;
      expect(plain.tls).toBeUndefined();
      expect(plain.upstreamTls).toBeUndefined();
      const bad = (flags: string[]): string => {
        try {
          simulateConfig(parseArgs(flags).flags, {});
        } catch (err) {
          return (err as SimulatorError).message;
        }
        throw new Error('no error');
      };
      expect(bad(['--upstream', 'redis://h:1', '--tls-cert', cert])).toContain('--tls-cert and --tls-key go together');
      expect(bad(['--upstream', 'redis://h:1', '--tls-ca', ca])).toContain('rediss://');

      // Mutual TLS: --tls-ca is then also what client certificates must chain to.
      const mutual = simulateConfig(parseArgs(['--upstream', 'redis://h:1', '--tls-cert', cert, '--tls-key', key, '--tls-ca', ca,
        '--tls-require-client-cert']).flags, {}).options;
      expect(mutual.nodes![0]!.tls).toEqual({ ...tls, requestCert: true, rejectUnauthorized: true });
      expect(mutual.proxyDefaults!.tls).toEqual({ ...tls, requestCert: true, rejectUnauthorized: true });
      expect(simulateConfig(parseArgs(['--upstream', 'redis://h:1', '--tls-cert', cert, '--tls-key', key, '--tls-ca', ca]).flags, {})
        .options.nodes![0]!.tls).toEqual(tls);
      expect(bad(['--upstream', 'redis://h:1', '--tls-cert', cert, '--tls-key', key, '--tls-require-client-cert'])).toContain('--tls-ca');
      expect(bad(['--upstream', 'redis://h:1', '--tls-ca', ca, '--tls-require-client-cert'])).toContain('rediss://');
      expect(bad(['--upstream', 'rediss://h:1', '--tls-ca', ca, '--tls-require-client-cert'])).toContain('--tls-cert/--tls-key');
      expect(bad(['--upstream', 'redis://h:1', '--tls-require-client-cert=maybe'])).toContain('takes no value');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trigger requests', () => {
  it('map CLI actions onto fault-injector actions', () => {
    const args = parseArgs(['simulate', 'trigger', 'bind', '--endpoint-type', 'none', '--time-s', '2', '--param', 'bdb_id=1']);
    expect(actionRequest('bind', [], args)).toEqual({ path: '/action', body: { type: 'bind', parameters: { endpoint_type: 'none', time_s: 2, bdb_id: 1 } } });
    const none = parseArgs([]);
    expect(actionRequest('sequence', ['migrate,bind'], none).body).toEqual({ type: 'sequence_of_actions', parameters: { actions: [{ type: 'migrate', params: {} }, { type: 'bind', params: {} }] } });
    expect(actionRequest('notifications', ['off'], none).body).toEqual({ type: 'update_cluster_config', parameters: { config: { client_maint_notifications: false } } });
    expect(actionRequest('drop', [], none)).toEqual({ path: '/simulator/faults', body: { dropConnections: true } });
    expect(() => actionRequest('notifications', ['maybe'], none)).toThrow(/on or off/);
    expect(() => parseArgs(['--control'])).toThrow(/needs a value/);
  });
});
