/**
 * One program's CPU instruction count under `valgrind --tool=callgrind`, with V8's hash and random
 * seeds fixed so that repeat runs of one build agree (bench/instructions/hooks.ts, sdk-floor.ts).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The instructions `node script ...args` executes, start-up included. */
export async function countInstructions(node: string, script: string, args: readonly string[]): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hitless-callgrind-'));
  try {
    const out = path.join(dir, 'callgrind.out');
    const { stderr } = await run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, node, '--single-threaded', '--expose-gc', '--hash-seed=1', '--random-seed=1', script, ...args], { maxBuffer: 64 << 20 });
    const collected = /Collected : (\d+)/.exec(stderr) ?? /summary: (\d+)/.exec(readFileSync(out, 'utf8'));
    if (!collected) throw new Error(`callgrind printed no instruction count:\n${stderr.slice(-2000)}`);
    return Number(collected[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Marginal instructions per unit: (count(large) − count(small)) / (large − small), both runs in parallel. */
export async function marginal(small: number, large: number, measure: (units: number) => Promise<number>): Promise<number> {
  const [a, b] = await Promise.all([measure(small), measure(large)]);
  return (b - a) / (large - small);
}

export function requireValgrind(): void {
  if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('valgrind is not installed (apt-get install valgrind)');
}

/** `S,L` → [S, L] with 0 < S < L; `flag` names the option in the error. */
export function parseWindow(text: string, flag = '--window'): [number, number] {
  const window = text.split(',').map((n) => Number(n.trim()));
  const [small, large] = window as [number, number];
  if (window.length !== 2 || !window.every((n) => Number.isInteger(n) && n > 0) || large <= small) {
    throw new Error(`${flag}: "${text}" is not two counts S,L with 0 < S < L`);
  }
  return [small, large];
}
