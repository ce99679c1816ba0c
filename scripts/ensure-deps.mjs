// Installs the locked dependencies when node_modules is missing or older than package-lock.json,
// so `npm test` and `npm run demo` work on a fresh clone with nothing typed first.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';
const stale = !existsSync(marker) || lockedPackages(marker) !== lockedPackages(lock);
if (stale) {
  console.log('[hitless] installing dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

// npm leaves optional packages for other platforms out of node_modules/.package-lock.json, so
// only the non-optional ones are compared.
function lockedPackages(file) {
  const { packages } = JSON.parse(readFileSync(file, 'utf8'));
  return JSON.stringify(
    Object.entries(packages)
      .filter(([name, p]) => name.startsWith('node_modules/') && !p.optional)
      .map(([name, p]) => `${name}@${p.version}`)
      .sort(),
  );
}
