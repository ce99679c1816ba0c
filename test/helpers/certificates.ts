import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * The default names: localhost, ::1 and 127.0.0.1 … 127.0.0.16, i.e. every address the
 * maintenance simulator listens on or announces by default (its nodes take 127.0.0.2, .3, …), so
 * a TLS client that follows a MOVING can verify the new endpoint's certificate.
 */
export const DEFAULT_CERTIFICATE_HOSTS: readonly string[] = [
  'localhost', '::1', ...Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`),
];

/** A self-signed certificate (its own CA) for `hosts` (subjectAltName), made with openssl for this run. */
export function makeCertificate(hosts: readonly string[] = DEFAULT_CERTIFICATE_HOSTS): Certificate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const san = hosts.map((h) => (net.isIP(h) === 0 ? `DNS:${h}` : `IP:${h}`)).join(',');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
