// The packaging test's OpenTelemetry step (called by scripts/check-package.mjs): the packed hitless
// tarball installed next to each OpenTelemetry line it claims to support, and the instrumentation
// hooks run against a real redis-server under each Node that line runs on.
//
//   - 2.x: the versions package.json pins as devDependencies (@opentelemetry/api 1.9, sdk-metrics,
//     sdk-trace-base, sdk-trace-node 2.x), under every Node given;
//   - 3.x: @opentelemetry/api 1.10.0, sdk-metrics 3.1.1, sdk-trace 3.1.1 (3.x merged sdk-trace-base and
//     sdk-trace-node into it) and context-async-hooks 3.1.1, under every Node >= 22.15 given (their
//     `engines`); CI gives Node 26.
// Both with the prom-client devDependencies pins. Each line gets its own temp project
// (`npm install --prefer-offline`, so a warm npm cache needs no network); the repo's package.json is
// untouched. scripts/package-otel-consumer.mjs is the program run there; each line it prints is one
// check, plus one that it ran to the end with nothing on stderr.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const OTEL3 = {
  '@opentelemetry/api': '1.10.0',
  '@opentelemetry/sdk-metrics': '3.1.1',
  '@opentelemetry/sdk-trace': '3.1.1',
  '@opentelemetry/context-async-hooks': '3.1.1',
};
const OTEL2_PACKAGES = ['@opentelemetry/api', '@opentelemetry/sdk-metrics', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace-node'];

/** The lines to check, with their exact versions and the oldest Node each runs on. */
export function otelLines(manifest) {
  const pin = (name) => {
    const version = manifest.devDependencies?.[name];
    if (!version) throw new Error(`check-package-otel: package.json has no devDependency ${name} to take the 2.x line's version from`);
    return version;
  };
  const promClient = { 'prom-client': pin('prom-client') };
  return [
    { name: '2.x', id: '2', minNode: [20, 6, 0], packages: { ...Object.fromEntries(OTEL2_PACKAGES.map((p) => [p, pin(p)])), ...promClient } },
    { name: '3.x', id: '3', minNode: [22, 15, 0], packages: { ...OTEL3, ...promClient } },
  ];
}

/**
 * Runs the step. `nodes` are [{ path, version }] ('v26.10.0'); `run` and `record` are
 * check-package's (a synchronous command runner, and one counted check per call).
 */
export async function checkOtelLines({ tarball, tmp, manifest, nodes, run, record, clean }) {
  const plan = otelLines(manifest).map((line) => ({ line, nodes: nodes.filter((n) => atLeast(n.version, line.minNode)) }));
  for (const { line, nodes: on } of plan) {
    if (on.length === 0) console.log(`[package]      otel ${line.name}: not run, no Node >= ${line.minNode.join('.')} given (--node)`);
  }
  const installed = [];
  for (const { line, nodes: on } of plan.filter((p) => p.nodes.length > 0)) {
    const project = installLine(line, { tarball, tmp, run, record });
    if (project) installed.push({ line, nodes: on, project });
  }
  if (installed.length === 0) return;

  let redis;
  try {
    redis = await startRedis(tmp);
  } catch (error) {
    record('otel: redis-server starts on a free loopback port', false, error.message);
    return;
  }
  try {
    for (const { line, nodes: on, project } of installed) {
      for (const node of on) await runConsumer({ line, node, project, port: redis.port, record, clean });
    }
  } finally {
    await redis.stop();
  }
}

function installLine(line, { tarball, tmp, run, record }) {
  const project = path.join(tmp, `otel-${line.id}`);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: `hitless-otel-${line.id}-consumer`, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
  const specs = Object.entries(line.packages).map(([name, version]) => `${name}@${version}`);
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...specs], project);
  if (!record(`otel ${line.name}: npm install <tarball> ${specs.join(' ')}`, install.ok, `${install.stdout}\n${install.stderr}`.trim().split('\n').slice(-30).join('\n'))) return undefined;

  // Exactly the pinned versions, and a single @opentelemetry/api that both hitless and the SDK see.
  const versionOf = (dir) => {
    const file = path.join(dir, 'package.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
  };
  const wrong = Object.entries(line.packages)
    .map(([name, version]) => ({ name, version, found: versionOf(path.join(project, 'node_modules', name)) }))
    .filter((p) => p.found !== p.version);
  const nestedApi = Object.keys(line.packages)
    .map((name) => path.join(project, 'node_modules', name, 'node_modules', '@opentelemetry', 'api'))
    .filter((dir) => existsSync(dir));
  record(`otel ${line.name}: installed exactly the pinned versions, one copy of @opentelemetry/api`, wrong.length === 0 && nestedApi.length === 0,
    [...wrong.map((p) => `${p.name}: wanted ${p.version}, found ${p.found ?? 'nothing'}`), ...nestedApi.map((d) => `another @opentelemetry/api in ${d}`)].join('\n'));
  copyFileSync(path.join(here, 'package-otel-consumer.mjs'), path.join(project, 'otel-consumer.mjs'));
  return project;
}

async function runConsumer({ line, node, project, port, record, clean }) {
  const label = `otel ${line.name} node ${node.version}`;
  const { code, stdout, stderr, error } = await new Promise((resolve) => {
    execFile(node.path, ['otel-consumer.mjs'], {
      cwd: project, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HITLESS_OTEL_LINE: line.id, HITLESS_REDIS_PORT: String(port) },
    }, (err, out, errOut) => resolve({ code: err ? (err.code ?? 1) : 0, stdout: out ?? '', stderr: clean(errOut ?? ''), error: err }));
  });
  const other = [];
  for (const text of stdout.split('\n').filter(Boolean)) {
    let result;
    try {
      result = JSON.parse(text);
    } catch {
      other.push(text);
      continue;
    }
    record(`${label}: ${result.check}`, result.ok, result.detail);
  }
  record(`${label}: the program ran to the end, nothing printed on stderr`, code === 0 && !stderr,
    [`exit ${code}${error?.killed ? ' (killed: timed out after 60 s)' : ''}`, stderr, ...other].filter(Boolean).join('\n'));
}

/** redis-server on a free loopback port (never 6379), no persistence; stop() waits for it to exit. */
async function startRedis(tmp) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmp, 'redis-'));
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  let output = '';
  let timer;
  await new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} was not ready after 10 s:\n${output}`));
    }, 10_000);
    proc.once('error', (err) => reject(new Error(`redis-server could not be started (${err.message}); Debian: apt-get install redis-server`)));
    proc.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with ${code} before it was ready:\n${output}`)));
    const onData = (d) => {
      output += d;
      if (output.includes('Ready to accept connections')) resolve();
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  }).finally(() => clearTimeout(timer));
  return {
    port,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function atLeast(version, min) {
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] !== min[i]) return have[i] > min[i];
  }
  return true;
}
