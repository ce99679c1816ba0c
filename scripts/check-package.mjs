// Packaging test: the package as a user installs it, not as it sits in this checkout.
//
// Builds (`npm run build`, from a clean dist/), packs the tarball with `npm pack`, installs it into an
// empty project with `npm install --no-audit --no-fund <tarball>`, and checks:
//   - the install pulls no runtime dependency (the project's node_modules holds only hitless, the
//     manifest has no `dependencies` and only optional peers);
//   - every `exports` entry and its `types` file is in the tarball;
//   - under each Node binary (this one, plus every `--node <path>`): every entry resolves from ESM
//     (import.meta.resolve) and CommonJS (require.resolve), loads with a static `import` from an .mjs
//     file and with `require()` from a .cjs file, both give the same exports, and nothing is printed on
//     stderr (no ExperimentalWarning, no DeprecationWarning);
//   - a strict TypeScript consumer (`--strict --module nodenext`, skipLibCheck off, the repo's
//     typescript) compiles against the shipped types, from ESM (.mts) and from CommonJS (.cts);
//   - the instrumentation hooks against a real redis-server with each OpenTelemetry line (2.x under every
//     Node, 3.x under every Node >= 22.15) and prom-client, in their own temp projects
//     (scripts/check-package-otel.mjs).
// Each check counts as one test. Ends with "N passed, N failed" (unless HITLESS_QUIET_SUMMARY is set)
// and writes {passed, failed, checks} to HITLESS_PACKAGE_REPORT when set. Exits 1 on any failure.
//
//   node scripts/check-package.mjs [--node /path/to/other/node]...
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOtelLines } from './check-package-otel.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodes = [process.execPath];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--node' && process.argv[i + 1]) nodes.push(path.resolve(process.argv[++i]));
  else {
    console.error(`check-package: unknown argument ${process.argv[i]} (usage: --node <path>)`);
    process.exit(2);
  }
}

const checks = [];
function record(name, ok, detail = '') {
  checks.push({ name, ok, detail });
  console.log(`[package] ${ok ? 'ok  ' : 'FAIL'} ${name}${detail && !ok ? `\n${indent(detail)}` : ''}`);
  return ok;
}
const indent = (text) => text.trimEnd().split('\n').map((l) => `           ${l}`).join('\n');
// npm on this machine prints `npm warn Unknown user config "nodedir"` on every command: noise.
const clean = (text) => text.split('\n').filter((l) => !/Unknown (user|env) config/.test(l)).join('\n').trim();
const tail = (text, n = 40) => text.split('\n').slice(-n).join('\n');

function run(cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: clean(r.stderr ?? ''), error: r.error };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hitless-package-'));
let installedTarball; // set by main() once the tarball installs into an empty project
try {
  main();
  if (installedTarball) {
    const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const withVersions = nodes.map((node) => ({ path: node, version: run(node, ['--version'], tmp).stdout.trim() }));
    await checkOtelLines({ tarball: installedTarball, tmp, manifest, nodes: withVersions, run, record, clean });
  }
} catch (err) {
  record('check-package ran to the end', false, err?.stack ?? String(err));
} finally {
  if (!process.env.HITLESS_KEEP_PACKAGE_TMP) rmSync(tmp, { recursive: true, force: true });
  else console.log(`[package] kept ${tmp}`);
}
finish();

function main() {
  const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

  // 1. Build from a clean dist/, so a file left from an earlier build cannot make an entry pass.
  rmSync(path.join(repo, 'dist'), { recursive: true, force: true });
  const build = run('npm', ['run', 'build'], repo);
  record('build: npm run build', build.ok, tail(`${build.stdout}\n${build.stderr}`));
  // tsc emits even with type errors, so a failed build still goes on to show what would ship.

  // 2. Pack.
  const packed = run('npm', ['pack', '--json', '--pack-destination', tmp], repo);
  let tarball;
  let packedFiles = [];
  try {
    const info = JSON.parse(packed.stdout)[0];
    tarball = path.join(tmp, info.filename);
    packedFiles = info.files.map((f) => f.path);
  } catch {
    // reported below
  }
  if (!record('pack: npm pack', packed.ok && !!tarball && existsSync(tarball), tail(`${packed.stdout}\n${packed.stderr}`))) return;
  console.log(`[package]      ${path.basename(tarball)}: ${packedFiles.length} files`);

  // 3. Install into an empty project, as a user would.
  const project = path.join(tmp, 'consumer');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'hitless-consumer', version: '0.0.0', private: true }, null, 2)}\n`);
  const install = run('npm', ['install', '--no-audit', '--no-fund', tarball], project);
  if (!record('install: npm install <tarball> into an empty project', install.ok, tail(`${install.stdout}\n${install.stderr}`))) return;
  installedTarball = tarball;

  const installedDir = path.join(project, 'node_modules', 'hitless');
  const installed = JSON.parse(readFileSync(path.join(installedDir, 'package.json'), 'utf8'));
  const modules = readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
  const extra = modules.filter((n) => n !== 'hitless');
  const deps = Object.keys(installed.dependencies ?? {});
  const requiredPeers = Object.keys(installed.peerDependencies ?? {})
    .filter((p) => !installed.peerDependenciesMeta?.[p]?.optional);
  record('no runtime dependency: node_modules holds only hitless', extra.length === 0,
    `also installed: ${extra.join(', ')}`);
  record('no runtime dependency: manifest has no dependencies and only optional peers',
    deps.length === 0 && requiredPeers.length === 0,
    `dependencies: [${deps.join(', ')}]; non-optional peerDependencies: [${requiredPeers.join(', ')}]`);

  // 4. The exports map, entry by entry.
  const exportsMap = manifest.exports ?? {};
  const entries = Object.keys(exportsMap).map((key) => ({
    key,
    specifier: key === '.' ? 'hitless' : `hitless/${key.slice(2)}`,
    json: key.endsWith('.json'),
    targets: typeof exportsMap[key] === 'string' ? { default: exportsMap[key] } : exportsMap[key],
  }));
  if (!record('exports: package.json has an exports map', entries.length > 0, 'no "exports" in package.json')) return;

  const inTarball = new Set(packedFiles.map((f) => path.posix.normalize(f)));
  for (const e of entries) {
    const missing = Object.entries(e.targets)
      .filter(([, target]) => !inTarball.has(path.posix.normalize(target)))
      .map(([cond, target]) => `"${cond}": ${target} is not in the tarball`);
    record(`exports ${e.specifier}: every target (${Object.keys(e.targets).join(', ')}) is in the tarball`,
      missing.length === 0, missing.join('\n') + hint(e));
  }

  // 5. Under each Node: resolve, import, require, no warnings.
  entries.forEach((e, i) => {
    const imp = e.json
      ? `import * as ns from '${e.specifier}' with { type: 'json' };`
      : `import * as ns from '${e.specifier}';`;
    writeFileSync(path.join(project, `esm-${i}.mjs`),
      `${imp}\nconst keys = Object.keys(ns).filter((k) => k !== '__esModule' && k !== 'module.exports').sort();\n` +
      `console.log(JSON.stringify({ keys, resolved: import.meta.resolve('${e.specifier}') }));\n`);
    writeFileSync(path.join(project, `cjs-${i}.cjs`),
      `'use strict';\nconst m = require('${e.specifier}');\n` +
      `const keys = ${e.json ? "['default']" : "Object.keys(m).filter((k) => k !== '__esModule' && k !== 'module.exports').sort()"};\n` +
      `console.log(JSON.stringify({ keys, resolved: require.resolve('${e.specifier}') }));\n`);
  });
  for (const node of nodes) {
    const version = run(node, ['--version'], project).stdout.trim() || `${node} (no --version)`;
    for (const [i, e] of entries.entries()) {
      const esm = loadCheck(node, project, `esm-${i}.mjs`);
      const cjs = loadCheck(node, project, `cjs-${i}.cjs`);
      const expected = path.join(installedDir, e.targets.default ?? e.targets.import ?? e.targets.require ?? '');
      const resolvesRight = (r) => r.out && (r.out.resolved.startsWith('file:') ? fileURLToPath(r.out.resolved) : r.out.resolved) === expected;
      record(`node ${version} ${e.specifier}: resolves (import.meta.resolve, require.resolve) to ${path.relative(installedDir, expected)}`,
        resolvesRight(esm) && resolvesRight(cjs),
        `${esm.detail || `import.meta.resolve -> ${esm.out?.resolved}`}\n${cjs.detail || `require.resolve -> ${cjs.out?.resolved}`}${hint(e)}`);
      record(`node ${version} ${e.specifier}: import from ESM${esm.out ? ` (${esm.out.keys.length} exports)` : ''}`,
        esm.ok && (e.json || esm.out.keys.length > 0),
        (esm.detail || 'the module exports nothing') + hint(e));
      record(`node ${version} ${e.specifier}: require from CommonJS, same exports as import`,
        cjs.ok && (!esm.out || e.json || JSON.stringify(cjs.out.keys) === JSON.stringify(esm.out.keys)),
        (cjs.detail || `require keys [${cjs.out?.keys}] vs import keys [${esm.out?.keys}]`) + hint(e));
      // A load that failed is reported above (its stderr is the error); here only what loaded counts.
      const loaded = [esm, cjs].filter((r) => r.ok);
      const warned = loaded.filter((r) => r.stderr);
      record(`node ${version} ${e.specifier}: nothing printed on stderr (no ExperimentalWarning/DeprecationWarning)`,
        loaded.length === 2 && warned.length === 0,
        loaded.length < 2 ? 'not checked: the entry did not load (see above)' : warned.map((r) => `${r.file}: ${r.stderr}`).join('\n'));
    }
  }

  // 6. A strict TypeScript consumer against the shipped types, from ESM and from CommonJS.
  const tsEntries = entries.filter((e) => !e.json);
  tsEntries.forEach((e, i) => {
    const body = (ref) => `export const keys: string[] = Object.keys(${ref});\nexport type Api = typeof ${ref};\n`;
    writeFileSync(path.join(project, `ts-esm-${i}.mts`), `import * as api from '${e.specifier}';\n${body('api')}`);
    writeFileSync(path.join(project, `ts-cjs-${i}.cts`), `import api = require('${e.specifier}');\n${body('api')}`);
  });
  writeFileSync(path.join(project, 'tsconfig.json'), `${JSON.stringify({
    compilerOptions: {
      strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true,
      skipLibCheck: false, types: ['node'],
      // @types/node from the repo: a real consumer has it; the consumer's node_modules stays hitless-only.
      typeRoots: [path.join(repo, 'node_modules', '@types')],
    },
    include: ['*.mts', '*.cts'],
  }, null, 2)}\n`);
  const tsc = run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
  const tsOut = `${tsc.stdout}\n${tsc.stderr}`.trim();
  const tsVersion = JSON.parse(readFileSync(path.join(repo, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  const errorLines = tsOut.split('\n').filter((l) => /error TS\d+/.test(l));
  const attributed = new Set();
  tsEntries.forEach((e, i) => {
    for (const [kind, file] of [['ESM (.mts)', `ts-esm-${i}.mts`], ['CommonJS (.cts)', `ts-cjs-${i}.cts`]]) {
      const mine = errorLines.filter((l) => l.startsWith(file));
      mine.forEach((l) => attributed.add(l));
      record(`typescript ${tsVersion} strict nodenext consumer ${e.specifier}: compiles from ${kind}`, mine.length === 0,
        mine.join('\n') + hint(e));
    }
  });
  const rest = errorLines.filter((l) => !attributed.has(l));
  record(`typescript ${tsVersion}: the shipped .d.ts files compile (skipLibCheck off)`, rest.length === 0 && (tsc.ok || errorLines.length > 0),
    rest.length ? rest.join('\n') : tsOut);
}

function loadCheck(node, cwd, file) {
  const r = run(node, [file], cwd);
  let out;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    // reported via detail
  }
  const ok = r.ok && !!out;
  const firstError = r.stderr.split('\n').find((l) => /Error|error/.test(l)) ?? r.stderr.split('\n')[0] ?? '';
  return { ok, out, file, stderr: r.stderr, detail: ok ? '' : `${file}: exit ${r.status}${r.error ? ` ${r.error.message}` : ''}: ${firstError}` };
}

function hint(e) {
  const target = e.targets.default ?? '';
  const src = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
  if (!src || existsSync(path.join(repo, src))) return '';
  return `\n(${src} does not exist in the repo yet: nothing builds ${target})`;
}

function finish() {
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed + (checks.length === 0 ? 1 : 0);
  if (process.env.HITLESS_PACKAGE_REPORT) {
    writeFileSync(process.env.HITLESS_PACKAGE_REPORT, `${JSON.stringify({ passed, failed, checks }, null, 2)}\n`);
  }
  if (!process.env.HITLESS_QUIET_SUMMARY) console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
