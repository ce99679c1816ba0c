import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { ResolvedEndpointType } from './config.js';

/** Addresses that only make sense inside a private network (or this host). */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4'); // RFC 1918
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4'); // RFC 1918
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4'); // RFC 1918
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4'); // RFC 6598 carrier-grade NAT
PRIVATE.addAddress('0.0.0.0', 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // RFC 4193 unique local
PRIVATE.addSubnet('fe80::', 10, 'ipv6'); // link-local

/**
 * True for loopback, RFC 1918, link-local, CGNAT (100.64/10), unspecified and unique-local
 * addresses. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is judged by its IPv4 part
 * (BlockList maps it). False for anything that is not an IP literal.
 */
export function isPrivateAddress(ip: string): boolean {
  const version = isIP(ip);
  if (version === 0) return false;
  return PRIVATE.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

/** Options of `detectEndpointType`. */
export interface DetectEndpointTypeOptions {
  /** How long the DNS lookup of a hostname may take, in milliseconds. Default 2000. */
  timeoutMs?: number;
  /** Resolves a hostname to its addresses. Default: `dns.promises.lookup(host, { all: true })`. */
  lookup?: (host: string) => Promise<string[]>;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Chooses the `moving-endpoint-type` for the `auto` setting: `internal-*` when the host is a
 * private address, empty, or a name whose every address is private; `external-*` otherwise,
 * including when the lookup fails, times out or finds nothing. With TLS the server must send a
 * name the certificate can match (`*-fqdn`); without TLS an IP saves a DNS lookup (`*-ip`), even
 * when the configured host is a name.
 */
export async function detectEndpointType(host: string, tls: boolean, options: DetectEndpointTypeOptions = {}): Promise<ResolvedEndpointType> {
  const internal = await isInternalHost(host.replace(/^\[(.*)\]$/, '$1'), options);
  if (tls) return internal ? 'internal-fqdn' : 'external-fqdn';
  return internal ? 'internal-ip' : 'external-ip';
}

async function isInternalHost(host: string, options: DetectEndpointTypeOptions): Promise<boolean> {
  if (host === '') return true;
  if (isIP(host) !== 0) return isPrivateAddress(host);
  const addresses = await resolveWithin(host, options.lookup ?? lookupAll, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return addresses.length > 0 && addresses.every(isPrivateAddress);
}

/** Settles within `timeoutMs` even when the lookup hangs; a failure or timeout counts as no addresses. */
async function resolveWithin(host: string, lookup: (host: string) => Promise<string[]>, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    const resolved = Promise.resolve()
      .then(() => lookup(host))
      .catch((): string[] => []);
    return await Promise.race([resolved, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function lookupAll(host: string): Promise<string[]> {
  const found = await dns.lookup(host, { all: true });
  return found.map((entry) => entry.address);
}
