// Installs the system tools the tests use that a fresh machine of this kind lacks: promtool
// (Debian's `prometheus` package) checks the Prometheus exposition; chromium opens the demo report. As root with apt-get it is
// installed; otherwise the test that needs it fails, saying what to install.
import { execSync, spawnSync } from 'node:child_process';

const have = (command) => !spawnSync(command, ['--version'], { stdio: 'ignore' }).error;

if (!have('promtool')) {
  if (process.getuid?.() === 0 && have('apt-get')) {
    console.log('[hitless] installing prometheus (promtool, for the metrics tests) with apt-get ...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus', { stdio: 'inherit' });
  } else {
    console.log('[hitless] note: promtool is missing (Debian: apt-get install prometheus); the Prometheus exposition test will fail without it');
  }
}

// Headless Chromium (Debian's `chromium`) opens the demo's HTML report in test/e2e/demo.test.ts.
if (!have('chromium')) {
  if (process.getuid?.() === 0 && have('apt-get')) {
    console.log('[hitless] installing chromium (headless, for the demo report test) with apt-get ...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium', { stdio: 'inherit' });
  } else {
    console.log('[hitless] note: chromium is missing (Debian: apt-get install chromium); the demo report test will fail without it');
  }
}
