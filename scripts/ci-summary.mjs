// Adds up the phases of .ci/run into one closing line "N passed, N failed".
//
//   node scripts/ci-summary.mjs --vitest <label> <vitest-json-report> <exit-code>
//                               --package <label> <check-package-report> <exit-code>
//                               --check <label> <exit-code>          (one pass/fail step, counts as one test)
//
// A vitest report is counted as scripts/run-tests.mjs counts it: a file that failed before running any
// test counts as one failure, and so does a run that executed no test. A phase whose exit code was
// non-zero while no failure was counted (a crash, an unhandled error) counts one failure more, so the
// closing line and the exit code never disagree. Exits 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs';

const rows = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ) {
  const kind = args[i++];
  if (kind === '--check') {
    const [label, exit] = [args[i++], Number(args[i++])];
    rows.push({ label, passed: exit === 0 ? 1 : 0, failed: exit === 0 ? 0 : 1, exit, note: '' });
  } else if (kind === '--vitest' || kind === '--package') {
    const [label, report, exit] = [args[i++], args[i++], Number(args[i++])];
    rows.push({ label, exit, ...(kind === '--vitest' ? countVitest(report) : countPackage(report)) });
  } else {
    console.error(`ci-summary: unknown argument ${kind}`);
    process.exit(2);
  }
}
for (const row of rows) {
  if (row.exit !== 0 && row.failed === 0) {
    row.failed = 1;
    row.note = `exited ${Number.isNaN(row.exit) ? '?' : row.exit} with no failure counted`;
  }
}

const width = Math.max(...rows.map((r) => r.label.length), 10);
console.log('[ci] summary:');
for (const r of rows) {
  console.log(`[ci]   ${r.failed ? 'FAIL' : 'ok  '} ${r.label.padEnd(width)}  ${r.passed} passed, ${r.failed} failed${r.note ? `  (${r.note})` : ''}`);
}
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0) + (rows.length === 0 ? 1 : 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

function countVitest(report) {
  if (!existsSync(report)) return { passed: 0, failed: 1, note: 'no vitest report written' };
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests + brokenFiles + (r.numTotalTests === 0 ? 1 : 0),
    note: r.numTotalTests === 0 ? 'ran no test' : '',
  };
}

function countPackage(report) {
  if (!existsSync(report)) return { passed: 0, failed: 1, note: 'no packaging report written' };
  const r = JSON.parse(readFileSync(report, 'utf8'));
  return { passed: r.passed, failed: r.failed, note: '' };
}
