/**
 * Hook cost in CPU instructions, which, unlike ops/s on a shared 2-core VM, does not depend on
 * timing. Each variant runs under `valgrind --tool=callgrind` twice (SMALL and LARGE measured
 * commands); the difference divided by LARGE − SMALL is the client's marginal instructions per
 * command, free of start-up and compilation. V8's hash and random seeds are fixed, so repeat runs
 * of one build agree to within a few instructions per command. The bench's ops/s comparison
 * (`npm run bench -- --only hooks`) swings by ±10–30 % per round, too much to resolve a few per cent.
 *
 *   npx tsx bench/instructions/hooks.ts [--node PATH] [--variants none,empty,1,3] [--workload gets|a] [--maint auto|disabled]
 *   npx tsx bench/instructions/hooks.ts --variants metrics-producer,tracing,metrics-producer+tracing+logging
 *
 * The default window is 300k → 1.3M commands. V8 on Node 26 is still compiling hot functions
 * hundreds of thousands of commands in, and one compile (millions of instructions) that lands in a
 * 200k-command window moved a variant by up to ±300 instructions per command; over a million
 * commands it moves it by a few.
 *
 * Needs valgrind. Takes about 90 s per variant (both runs of a variant go in parallel).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { countInstructions, marginal, parseWindow, requireValgrind } from './callgrind.js';
import { compileHitless } from '../compile.js';
import { INSTRUMENTATION_HOOKS, instrumentationHookNames } from '../instrumentation-hooks.js';
import { startServer } from '../redis-server.js';
import { percent, table } from '../stats.js';

const WINDOW = '300000,1300000';
const probe = fileURLToPath(new URL('./hook-probe.mjs', import.meta.url));

const HELP = `Usage: npx tsx bench/instructions/hooks.ts [options]

Counts the client's CPU instructions per command (valgrind callgrind) with no hooks, an empty
hook, and counting hooks, and prints each variant's cost relative to no hooks.

Options:
  --node PATH        Node binary to measure (default: this one, ${process.execPath})
  --variants LIST    comma-separated: none, empty, a number of counting hooks, or instrumentation
                     hooks joined by + (${INSTRUMENTATION_HOOKS.join(', ')}; see
                     bench/instrumentation-hooks.ts), e.g. metrics-producer+tracing+logging
                     (default none,empty,1,3)
  --window S,L       measure S and L commands after the warm-up, report (count(L) - count(S)) / (L - S)
                     (default ${WINDOW})
  --workload NAME    gets: 100 GETs per event-loop turn, the least work per command besides the
                     client's own (default); a: the bench's workload (a), 100 callers each
                     awaiting SET then GET of 64-byte values
  --maint MODE       the client's maintNotifications mode: auto (default, as users get it; the
                     bench's plain redis-server declines the opt-in) or disabled
  --build DIR        measure an already compiled hitless (DIR/src/index.js) instead of compiling
                     this checkout, e.g. an older commit's build, to compare builds
  --help             this text
`;

function instructions(node: string, build: string, port: number, commands: number, variant: string, workload: string, maint: string): Promise<number> {
  return countInstructions(node, probe, [build, String(port), String(commands), variant, workload, maint]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      node: { type: 'string' }, variants: { type: 'string' }, workload: { type: 'string' }, window: { type: 'string' }, maint: { type: 'string' },
      build: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const node = values.node ?? process.execPath;
  const variants = (values.variants ?? 'none,empty,1,3').split(',').map((v) => v.trim());
  const workload = values.workload ?? 'gets';
  const [SMALL, LARGE] = parseWindow(values.window ?? WINDOW);
  if (workload !== 'gets' && workload !== 'a') throw new Error(`--workload: "${workload}" is not gets or a`);
  const maint = values.maint ?? 'auto';
  if (maint !== 'auto' && maint !== 'disabled' && maint !== 'omit') throw new Error(`--maint: "${maint}" is not auto or disabled`);
  for (const v of variants) {
    if (v === 'none' || v === 'empty' || /^[1-9]\d*$/.test(v)) continue;
    try {
      instrumentationHookNames(v);
    } catch (error) {
      throw new Error(`--variants: "${v}" is not none, empty, a number of counting hooks or instrumentation hooks: ${(error as Error).message}`);
    }
  }
  if (!variants.includes('none')) variants.unshift('none');
  requireValgrind();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`[instructions] node ${version}; maintNotifications ${maint}; ${values.build ? `build ${values.build}` : 'compiling hitless ...'}`);
  // The probe's tsconfig adds bench/instrumentation-hooks.ts to the build, for the instrumentation variants.
  const build = values.build ?? compileHitless('hitless-instructions', 'bench/instructions/tsconfig.probe.json');
  const server = await startServer();
  try {
    const perCommand = new Map<string, number>();
    for (const variant of variants) {
      const started = Date.now();
      perCommand.set(variant, await marginal(SMALL, LARGE, (commands) => instructions(node, build, server.port, commands, variant, workload, maint)));
      console.log(`[instructions] ${label(variant)}: ${Math.round(perCommand.get(variant)!)} per command (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    const base = perCommand.get('none')!;
    console.log(`\nClient CPU instructions per command, node ${version}, maintNotifications ${maint}, ${workload === 'a' ? 'workload (a): 100 callers, SET then GET' : '100 GETs per turn'}, marginal ${SMALL / 1000}k → ${LARGE / 1000}k commands`);
    console.log(table(['hooks', 'instructions/cmd', 'extra', 'cost'], variants.map((v) => {
      const n = perCommand.get(v)!;
      return [label(v), String(Math.round(n)), v === 'none' ? '' : signed(Math.round(n - base)), v === 'none' ? '' : percent(n / base - 1)];
    })));
    console.log('V8 seeds are fixed: repeat runs of one build agree to within a few instructions per command.');
  } finally {
    await server.stop();
  }
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function label(variant: string): string {
  if (variant === 'none') return 'no hooks';
  if (variant === 'empty') return 'empty hook {}';
  return /^\d+$/.test(variant) ? `${variant} counting hook${variant === '1' ? '' : 's'}` : variant;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
