/**
 * Micro benchmark of the per-command hook path (src/client/command-hooks.ts) on the tsc build:
 * nanoseconds per command for creating a command with and without CommandHooks.start/commandEnded,
 * and for the pieces that path is made of. `npx tsx bench/micro/client/command-hooks.ts`
 */
import { pathToFileURL } from 'node:url';

if (process.argv.includes('--help')) {
  console.log('usage: npx tsx bench/micro/client/command-hooks.ts  (no options; prints ns per call for each step)');
  process.exit(0);
}
import { compileHitless } from '../../compile.js';

type Modules = [
  typeof import('../../../src/client/command-hooks.js'),
  typeof import('../../../src/hooks/index.js'),
  typeof import('../../../src/connection/index.js'),
];

const dir = compileHitless('hitless-micro');
const load = (path: string): Promise<unknown> => import(pathToFileURL(`${dir}/src/${path}`).href);
const [{ CommandHooks }, { HookChain, redactArguments, turnInstant }, { createCommand }] = (await Promise.all([
  load('client/command-hooks.js'),
  load('hooks/index.js'),
  load('connection/index.js'),
])) as Modules;

class CountingHook {
  readonly name = 'count';
  starts = 0;
  ends = 0;
  onCommandStart(): unknown {
    this.starts++;
    return undefined;
  }
  onCommandEnd(): void {
    this.ends++;
  }
}

/** Best of 5 runs of `n` calls, after a warm-up, in ns per call. */
function measure(label: string, fn: () => unknown, n = 2_000_000): void {
  for (let i = 0; i < n / 4; i++) fn();
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
  }
  console.log(`${label.padEnd(58)} ${best.toFixed(1).padStart(6)} ns`);
}

const server = { host: '127.0.0.1', port: 6379 };
const args = ['SET', 'key:1', 'v'.repeat(64)];
const hooksFor = (hooks: object[]) => new CommandHooks(new HookChain(hooks, () => {}), server, 0);
const one = hooksFor([new CountingHook()]);
const three = hooksFor([new CountingHook(), new CountingHook(), new CountingHook()]);

console.log(`command hook path, node ${process.version}`);
measure('createCommand (what a command costs without hooks)', () => createCommand(args, false));
measure('createCommand + succeed, no hooks', () => {
  const [command] = createCommand(args, false);
  command.succeed('OK');
});
measure('createCommand + start + succeed, 1 counting hook', () => {
  const [command] = createCommand(args, false);
  one.start(command);
  command.succeed('OK');
});
measure('createCommand + start + succeed, 3 counting hooks', () => {
  const [command] = createCommand(args, false);
  three.start(command);
  command.succeed('OK');
});
measure('  of which: turnInstant() (twice per command; the clock itself is read once per turn)', () => turnInstant());
measure('  not on the path: redactArguments([SET k v], SET) (only when a hook reads event.args)', () => redactArguments(args, 'SET'));
