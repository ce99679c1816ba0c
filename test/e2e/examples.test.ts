/**
 * Every file in examples/ runs as a user would run it (`npx tsx examples/<file>.ts`, REDIS_URL set)
 * against a test redis-server, exits 0 and prints what it is there to show, so none can rot.
 * A new example without an expectation here fails the last test.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../helpers/fixtures.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const redis = useRedis();

/** What each example must print (a pattern per line of interest). */
const EXPECTED: Record<string, RegExp[]> = {
  'quick-start.ts': [/^greeting: hello$/m, /^board: \[ \{ value: 'alan', score: 7 \}, \{ value: 'ada', score: 10 \} \]$/m, /^encoding: listpack$/m],
  'policies.ts': [
    /^policy: refused MOVING to 10\.1\.2\.3:6379/m, /^value: after$/m, /^connections now on: 127\.0\.0\.\d+:\d+$/m,
    /^metric: MIGRATING handled: 1 /m, /^metric: MIGRATED handled: 1 /m, /^metric: MOVING handled: 1 /m,
  ],
  'opentelemetry.ts': [
    /^metric: db\.client\.operation\.duration \(s\): 3 data point\(s\)$/m, /^span: SET \[SET example:otel \?\] \(child\)$/m,
    /^span: PIPELINE \(child\)$/m, /^span: checkout$/m,
  ],
  'prometheus.ts': [
    /^metrics at http:\/\/127\.0\.0\.1:\d+\/metrics$/m, /^expected error: WRONGTYPE/m,
    /^db_client_operation_duration_seconds_count\{.*db_operation_name="SET".*\} 10$/m, /^redis_client_errors_total\{.*error_type="WRONGTYPE".*\} 1$/m,
  ],
  'logging.ts': [/maintenance notification MIGRATING handled/, /maintenance notification MOVING handled/, /handoff succeeded: 127\.0\.0\.\d+:\d+ -> 127\.0\.0\.\d+:\d+/],
};

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join('examples', file)], {
      cwd: root, env: { ...process.env, REDIS_URL: redis.server.url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/', () => {
  for (const [file, patterns] of Object.entries(EXPECTED)) {
    it(`${file} runs and shows what it is for`, async () => {
      const { code, stdout, stderr } = await run(file);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      for (const pattern of patterns) expect(stdout).toMatch(pattern);
    });
  }

  it('every example has its expectations here', () => {
    expect(readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
});
