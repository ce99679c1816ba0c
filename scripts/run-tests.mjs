// Runs vitest with the JSON reporter beside the default one and ends with the plain line
// "N passed, N failed", which CI reads. Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = process.env.HITLESS_TEST_REPORT ?? 'vitest-report.json';
rmSync(report, { force: true });
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
    ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  // A file that failed before running any test (import error, crashed hook) counts as one failure.
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  failed = r.numFailedTests + brokenFiles + (r.numTotalTests === 0 ? 1 : 0);
} else {
  failed = 1;
}
if (!process.env.HITLESS_QUIET_SUMMARY) console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
