/**
 * Makes sure the server processes tests start (redis-server, prometheus) stop: an exit handler
 * in the worker process, and the run's pid folder, whose every pid the global teardown kills (so
 * even a crashed worker leaves nothing behind).
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function track(child: ChildProcess): void {
  live.add(child);
  const dir = process.env.HITLESS_TEST_PID_DIR;
  if (dir && child.pid) writeFileSync(path.join(dir, String(child.pid)), '');
}

/** Stops a tracked child with `signal` and waits for it to exit. */
export async function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
  live.delete(child);
}
