import { describe, expect, it } from 'vitest';
import { detectEndpointType, isPrivateAddress } from '../../../src/maintnotifications/endpoint-type.js';

describe('isPrivateAddress', () => {
  it.each([
    '10.0.0.1', '127.0.0.1', '127.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.0.1',
    '100.64.0.1', '100.127.255.254', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1',
    '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:100.64.0.1',
  ])('%s is private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.169.0.1', '11.0.0.1',
    '2001:db8::1', '2606:4700::1111', 'fec0::1', 'fe00::1', '::2', '::ffff:8.8.8.8', 'localhost', 'example.com', '',
  ])('%s is not private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('detectEndpointType', () => {
  const never = (): Promise<string[]> => new Promise(() => undefined);
  const resolvesTo = (addresses: string[]) => async () => addresses;

  it.each([
    ['10.0.0.1', false, 'internal-ip'],
    ['10.0.0.1', true, 'internal-fqdn'],
    ['8.8.8.8', false, 'external-ip'],
    ['8.8.8.8', true, 'external-fqdn'],
    ['::1', false, 'internal-ip'],
    ['[::1]', false, 'internal-ip'],
    ['fe80::1', false, 'internal-ip'],
    ['fc00::1', true, 'internal-fqdn'],
    ['fd12:3456::1', false, 'internal-ip'],
    ['100.63.255.255', false, 'external-ip'],
    ['100.128.0.0', false, 'external-ip'],
    ['100.64.0.1', false, 'internal-ip'],
    ['100.127.255.254', false, 'internal-ip'],
    ['[2001:db8::1]', true, 'external-fqdn'],
    ['', false, 'internal-ip'],
    ['', true, 'internal-fqdn'],
  ] as const)('%s with TLS %s is %s', async (host, tls, expected) => {
    // An IP literal must not reach DNS.
    expect(await detectEndpointType(host, tls, { lookup: never, timeoutMs: 1 })).toBe(expected);
  });

  it('localhost is internal-ip without TLS and internal-fqdn with TLS (real lookup)', async () => {
    expect(await detectEndpointType('localhost', false)).toBe('internal-ip');
    expect(await detectEndpointType('localhost', true)).toBe('internal-fqdn');
  });

  it('a hostname is internal only when every address is private', async () => {
    expect(await detectEndpointType('db.internal', false, { lookup: resolvesTo(['10.0.0.5', 'fd00::5']) })).toBe('internal-ip');
    expect(await detectEndpointType('db.mixed', false, { lookup: resolvesTo(['10.0.0.5', '8.8.8.8']) })).toBe('external-ip');
    expect(await detectEndpointType('db.public', true, { lookup: resolvesTo(['8.8.8.8']) })).toBe('external-fqdn');
  });

  it('passes the host to the lookup', async () => {
    const asked: string[] = [];
    await detectEndpointType('redis.example.com', false, { lookup: async (h) => (asked.push(h), ['10.0.0.1']) });
    expect(asked).toEqual(['redis.example.com']);
  });

  it('an empty resolution is external', async () => {
    expect(await detectEndpointType('db.empty', false, { lookup: resolvesTo([]) })).toBe('external-ip');
  });

  it('a failing lookup is external, whether it rejects or throws', async () => {
    const rejects = () => Promise.reject(new Error('ENOTFOUND'));
    const throws = (): Promise<string[]> => {
      throw new Error('synchronous');
    };
    expect(await detectEndpointType('db.gone', false, { lookup: rejects })).toBe('external-ip');
    expect(await detectEndpointType('db.gone', true, { lookup: throws })).toBe('external-fqdn');
  });

  it('a lookup that hangs settles as external once timeoutMs passes', async () => {
    expect(await detectEndpointType('db.slow', false, { lookup: never, timeoutMs: 50 })).toBe('external-ip');
  });

  it('a real lookup of an .invalid name is external', async () => {
    expect(await detectEndpointType('nothing-here.invalid', false)).toBe('external-ip');
  });
});
