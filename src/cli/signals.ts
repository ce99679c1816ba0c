import { EXIT_INTERRUPTED } from '../demo/run.js';

/**
 * Runs `work` with a signal that SIGINT or SIGTERM aborts: the first signal stops the run cleanly;
 * a second one exits at once without waiting for that (exit handlers still kill any redis-server
 * it started).
 */
export async function untilSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
