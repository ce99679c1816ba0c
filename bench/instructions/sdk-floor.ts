/**
 * The OpenTelemetry SDK's floor: what one span costs in CPU instructions when nothing else runs
 * (no Redis, no hitless; bench/instructions/sdk-floor.mjs), per tracer set-up, beside hitless's
 * own instructions per command with no hooks in the same window. A client that makes one real
 * SDK span per command pays at least this on top of its own work, so the ratio says how far below
 * "span cost ÷ command cost" no tracing hook can go.
 *
 *   npx tsx bench/instructions/sdk-floor.ts [--setups counting,none,simple,batch,ratio] [--window S,L]
 *
 * Needs valgrind and redis-server (for the hitless reference). About 1–2 minutes per set-up.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileHitless } from '../compile.js';
import { TRACER_SETUPS } from '../instrumentation-hooks.js';
import { startServer } from '../redis-server.js';
import { percent, table } from '../stats.js';
import { countInstructions, marginal, parseWindow, requireValgrind } from './callgrind.js';

const WINDOW = '100000,400000';
const floorProbe = fileURLToPath(new URL('./sdk-floor.mjs', import.meta.url));
const hookProbe = fileURLToPath(new URL('./hook-probe.mjs', import.meta.url));

const DESCRIPTIONS: Record<string, string> = {
  counting: 'AlwaysOn, a processor that counts ends (the bench\'s "tracing")',
  none: 'AlwaysOn, no span processor',
  simple: 'AlwaysOn, SimpleSpanProcessor → exporter that drops',
  batch: 'AlwaysOn, BatchSpanProcessor (defaults) → exporter that drops',
  ratio: 'ParentBased(TraceIdRatioBased(0.1)), BatchSpanProcessor',
};

const HELP = `Usage: npx tsx bench/instructions/sdk-floor.ts [options]

Counts the CPU instructions (valgrind callgrind) of one OpenTelemetry SDK span, startSpan with a
CLIENT kind and TracingHook's five attributes, then end(), 100 a turn, without Redis or hitless,
less the same loop with no span; and hitless's instructions per GET with no hooks (100 a turn),
in the same window. Prints each set-up's span cost as a ratio of that command cost.

Options:
  --setups LIST   comma-separated, of ${TRACER_SETUPS.join(', ')} (bench/instrumentation-hooks.ts;
                  default all)
  --window S,L    measure S and L spans (and commands) after the warm-up, report
                  (count(L) - count(S)) / (L - S) (default ${WINDOW})
  --node PATH     Node binary to measure (default: this one)
  --build DIR     an already compiled build (bench/instructions/tsconfig.probe.json) instead of
                  compiling this checkout
  --help          this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { setups: { type: 'string' }, window: { type: 'string' }, node: { type: 'string' }, build: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const setups = values.setups === undefined ? [...TRACER_SETUPS] : values.setups.split(',').map((s) => s.trim());
  for (const s of setups) if (!(TRACER_SETUPS as readonly string[]).includes(s)) throw new Error(`--setups: "${s}" is not one of ${TRACER_SETUPS.join(', ')}`);
  const [small, large] = parseWindow(values.window ?? WINDOW);
  const node = values.node ?? process.execPath;
  requireValgrind();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const build = values.build ?? compileHitless('hitless-sdk-floor', 'bench/instructions/tsconfig.probe.json');
  const server = await startServer();
  const timed = async (label: string, measure: () => Promise<number>): Promise<number> => {
    const started = Date.now();
    const n = await measure();
    console.log(`[sdk-floor] ${label}: ${Math.round(n)} per unit (${Math.round((Date.now() - started) / 1000)} s)`);
    return n;
  };
  try {
    const command = await timed('hitless GET, no hooks', () => marginal(small, large, (n) => countInstructions(node, hookProbe, [build, String(server.port), String(n), 'none', 'gets', 'auto'])));
    const loop = await timed('the loop alone', () => marginal(small, large, (n) => countInstructions(node, floorProbe, [build, String(n), 'loop'])));
    const rows: string[][] = [['hitless GET, no hooks (the reference)', String(Math.round(command)), '']];
    for (const setup of setups) {
      const span = (await timed(setup, () => marginal(small, large, (n) => countInstructions(node, floorProbe, [build, String(n), setup])))) - loop;
      rows.push([DESCRIPTIONS[setup]!, String(Math.round(span)), `${(span / command).toFixed(2)}× (${percent(span / command, 0).replace('+', '')})`]);
    }
    console.log(`\nOne SDK span (startSpan + end, less the loop: ${Math.round(loop)}) vs one hitless command, node ${version}, marginal ${small / 1000}k → ${large / 1000}k`);
    console.log(table(['set-up', 'instructions', 'span ÷ hitless command'], rows));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
