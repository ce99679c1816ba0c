/**
 * Memory measurements of issue 2: heap after 1M commands (is it flat?) and heap held by 100k
 * commands issued without awaiting. Every reading follows a full GC, except the sampled peak.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { BenchClient } from './clients.js';
import { concurrent, VALUE } from './workloads.js';

/** The global `gc`, exposed at run time so no Node flag is needed (works the same under --node). */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const gc = exposeGc();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface SteadyHeap {
  commands: number;
  /** heapUsed after warm-up, then after each quarter of the commands (all after full GC). */
  readings: number[];
  /** Last reading minus the first. */
  delta: number;
}

/** Workload (a) for `commands` commands in four parts, reading the heap after each. */
export async function heapAfterCommands(client: BenchClient, commands: number, prefix: string): Promise<SteadyHeap> {
  await concurrent(client, Math.min(50_000, commands / 10), prefix);
  const readings = [heapAfterGc()];
  for (let part = 0; part < 4; part++) {
    await concurrent(client, commands / 4, prefix);
    readings.push(heapAfterGc());
  }
  return { commands, readings, delta: readings[readings.length - 1]! - readings[0]! };
}

export interface PendingHeap {
  commands: number;
  /** Heap held right after issuing (full GC, nothing written or answered yet), per command. */
  issuedPerCommand: number;
  /** Highest heapUsed sampled while the replies drain (no forced GC: includes garbage), above the start. */
  peak: number;
  /** Heap left after all replies arrived and the promises were dropped (full GC). */
  after: number;
}

/**
 * Issues `commands` GETs of one 64 B key in one turn, keeping the promises in an array (as a
 * caller would). `baseline` measures the same array of plain pending promises, so the client's
 * own cost is `issuedPerCommand` of a client minus that of the baseline.
 */
export async function pendingCommands(client: BenchClient | 'baseline', commands: number, prefix: string): Promise<PendingHeap> {
  const key = `${prefix}:pending`;
  if (client !== 'baseline') await client.set(key, VALUE);
  let pending: Promise<unknown>[] | undefined = new Array<Promise<unknown>>(commands);
  const start = heapAfterGc();
  if (client === 'baseline') {
    for (let i = 0; i < commands; i++) pending[i] = new Promise<void>(noop);
  } else {
    for (let i = 0; i < commands; i++) pending[i] = client.get(key);
  }
  const issued = heapAfterGc() - start;
  let peak = issued;
  let sampling = true;
  const sample = (): void => {
    peak = Math.max(peak, v8.getHeapStatistics().used_heap_size - start);
    if (sampling) setImmediate(sample);
  };
  setImmediate(sample);
  if (client !== 'baseline') await Promise.all(pending);
  sampling = false;
  pending = undefined;
  await new Promise((resolve) => setImmediate(resolve));
  return { commands, issuedPerCommand: issued / commands, peak, after: heapAfterGc() - start };
}

function noop(): void {}
