import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Gives every worker a folder to record the redis-server pids it starts, and kills whatever is
 * still alive there when the run ends, however the workers ended.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-test-pids-'));
  process.env.HITLESS_TEST_PID_DIR = dir;
  return () => {
    for (const name of readdirSync(dir)) {
      try {
        process.kill(Number(name), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
