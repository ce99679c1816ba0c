/** What the process holds: open sockets and timers (process.getActiveResourcesInfo()), RSS and heap. */

export interface ResourceCount {
  /** TCP sockets and servers, pipes, TLS wraps. */
  sockets: number;
  /** Timeouts and immediates. */
  timers: number;
  /** Every active resource by its type. */
  byType: Record<string, number>;
}

export interface MemorySample {
  rssMB: number;
  heapUsedMB: number;
}

const SOCKET = /TCP|Pipe|TLS|UDP/;
const TIMER = /^(Timeout|Immediate)$/;

export function countResources(): ResourceCount {
  const byType: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) byType[type] = (byType[type] ?? 0) + 1;
  const sum = (pattern: RegExp): number => Object.entries(byType).reduce((n, [type, count]) => n + (pattern.test(type) ? count : 0), 0);
  return { sockets: sum(SOCKET), timers: sum(TIMER), byType };
}

/** Resource types with more open now than at `start`, and how many more. */
export function leaked(start: ResourceCount, end: ResourceCount): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, count] of Object.entries(end.byType)) {
    const more = count - (start.byType[type] ?? 0);
    if (more > 0) extra[type] = more;
  }
  return extra;
}

/**
 * The count once it is back to `start`'s, or the last one after `timeoutMs`: closed sockets and a
 * stopped child's pipes leave the list a few event-loop turns after their close.
 */
export async function settledResources(start: ResourceCount, timeoutMs: number): Promise<ResourceCount> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = countResources();
    // The timer this loop waits on is itself not in the list while it is being counted.
    if (Object.keys(leaked(start, now)).length === 0 || Date.now() >= deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const MB = 1024 * 1024;

export function memory(): MemorySample {
  const usage = process.memoryUsage();
  return { rssMB: Math.round((usage.rss / MB) * 10) / 10, heapUsedMB: Math.round((usage.heapUsed / MB) * 10) / 10 };
}
