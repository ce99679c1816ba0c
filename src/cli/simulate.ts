import { writeFileSync } from 'node:fs';
import { simulateConfig, endpointsConfig } from '../simulator/config.js';
import { Simulator } from '../simulator/index.js';
import type { ParsedArgs } from './args.js';

export const SIMULATE_HELP = `Usage: hitless simulate [options]
       hitless simulate trigger <action> [options]   (see: hitless simulate trigger --help)

Runs the maintenance simulator: simulated Redis Enterprise nodes in front of a real redis-server,
with HTTP control APIs compatible with Redis's fault injector (POST /action) and cae-resp-proxy.

Options:
  --upstream URL              redis-server to front, e.g. redis://127.0.0.1:6379 (required);
                              rediss://… reaches it over TLS
  --listen H:P[,H:P...]       one simulated node per address (default 127.0.0.1:16379)
  --control H:P               control API address (default 127.0.0.1:18100)
  --endpoints-config FILE     write the endpoints JSON client suites read (REDIS_ENDPOINTS_CONFIG_PATH)
  --tls-cert FILE             serve clients over TLS with this PEM certificate, on every address
                              (incl. those MOVING announces: list them in its subjectAltName)
  --tls-key FILE              the certificate's PEM private key (with --tls-cert)
  --tls-ca FILE               PEM CA trusted for a rediss:// upstream (default: Node's CAs); also
                              completes the chain the nodes present, and with
                              --tls-require-client-cert is what client certificates must chain to
  --tls-require-client-cert   mutual TLS: refuse clients without a certificate signed by --tls-ca
                              (needs --tls-cert, --tls-key and --tls-ca)
  --migrate-wait-ms N         MIGRATING -> MIGRATED wait (default 3000)
  --failover-wait-ms N        FAILING_OVER -> FAILED_OVER wait (default 3000)
  --smigrate-wait-ms N        SMIGRATING -> SMIGRATED wait (default 3000)
  --moving-time-s N           MOVING time_s; old connections close after it (default 3)
  --oss                       answer CLIENT MAINT_NOTIFICATIONS like open-source Redis (an error)
  --replay-last-completion    replay the last MIGRATED/FAILED_OVER to connections that opt in
  -h, --help                  this help

cae-resp-proxy configuration is accepted too, as environment variables or camelCase flags:
  LISTEN_PORT (list) / --listenPort, LISTEN_HOST / --listenHost, TARGET_HOST / --targetHost,
  TARGET_PORT / --targetPort, API_PORT / --apiPort, TIMEOUT / --timeout (ms, 0 = none),
  DEFAULT_INTERCEPTORS / --defaultInterceptors (cluster,hitless,logger), ENABLE_LOGGING (= logger:
  connections, commands, replies and pushes, abbreviated, per connection id, on stdout).
`;

/** Starts the simulator and runs until SIGINT/SIGTERM. */
export async function simulate(args: ParsedArgs): Promise<void> {
  const config = simulateConfig(args.flags);
  const sim = await Simulator.start(config.options);
  for (const node of sim.nodes()) {
    const addresses = node.addresses.map((a) => `${a.host}:${a.port}`).join(', ');
    const tls = `${node.tls ? (node.clientCertificates ? ' (TLS, client certificates required)' : ' (TLS)') : ''}${node.upstreamTls ? '; upstream over TLS' : ''}`;
    console.log(`node ${node.id}: listening on ${addresses}${tls}; MOVING announces ${node.ipHost}:${node.port} (ip) / ${node.fqdnHost}:${node.port} (fqdn)`);
  }
  const control = sim.controlAddress;
  if (control !== undefined) console.log(`control API: http://${control.host}:${control.port} (POST /action, GET /stats, ...)`);
  if (config.endpointsConfig !== undefined) {
    writeFileSync(config.endpointsConfig, JSON.stringify(endpointsConfig(sim.actions.database()), null, 2) + '\n');
    console.log(`endpoints config written to ${config.endpointsConfig}`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
}
