/**
 * The three client workloads of issue 2. Each returns commands per second; an "op" is one Redis
 * command (a SET and the GET after it are two ops; a 1000-GET pipeline is 1000 ops).
 */
import type { BenchClient } from './clients.js';

/** 64 bytes, the value size of workload (a) and (b). */
export const VALUE = 'v'.repeat(64);

export type WorkloadName = 'concurrent' | 'latency' | 'pipeline';

export const WORKLOADS: Record<WorkloadName, string> = {
  concurrent: '(a) 100 concurrent callers, SET then GET, 64 B values',
  latency: '(b) one caller, each command awaited (latency)',
  pipeline: '(c) explicit pipeline of 1000 GETs',
};

export const CALLERS = 100;
export const PIPELINE_SIZE = 1000;

/** (a) `CALLERS` callers, each looping SET k v; GET k on its own key, until `ops` commands are done. */
export async function concurrent(client: BenchClient, ops: number, prefix: string): Promise<number> {
  const pairsPerCaller = Math.max(1, Math.round(ops / CALLERS / 2));
  const caller = async (i: number): Promise<void> => {
    const key = `${prefix}:a:${i}`;
    for (let n = 0; n < pairsPerCaller; n++) {
      await client.set(key, VALUE);
      await client.get(key);
    }
  };
  const start = performance.now();
  const callers: Promise<void>[] = [];
  for (let i = 0; i < CALLERS; i++) callers.push(caller(i));
  await Promise.all(callers);
  return rate(pairsPerCaller * CALLERS * 2, start);
}

/** (b) One caller: SET then GET, each awaited before the next is sent. */
export async function latency(client: BenchClient, ops: number, prefix: string): Promise<number> {
  const key = `${prefix}:b`;
  const pairs = Math.max(1, Math.round(ops / 2));
  const start = performance.now();
  for (let n = 0; n < pairs; n++) {
    await client.set(key, VALUE);
    await client.get(key);
  }
  return rate(pairs * 2, start);
}

/** (c) Pipelines of `PIPELINE_SIZE` GETs of existing 64 B keys, one pipeline awaited at a time. */
export async function pipeline(client: BenchClient, ops: number, prefix: string): Promise<number> {
  const keys: string[] = [];
  for (let i = 0; i < PIPELINE_SIZE; i++) keys.push(`${prefix}:c:${i}`);
  await Promise.all(keys.map((key) => client.set(key, VALUE)));
  const batches = Math.max(1, Math.round(ops / PIPELINE_SIZE));
  const start = performance.now();
  for (let n = 0; n < batches; n++) await client.pipelineGets(keys);
  return rate(batches * PIPELINE_SIZE, start);
}

export const RUNNERS: Record<WorkloadName, (client: BenchClient, ops: number, prefix: string) => Promise<number>> = {
  concurrent,
  latency,
  pipeline,
};

function rate(ops: number, start: number): number {
  return (ops * 1000) / (performance.now() - start);
}
