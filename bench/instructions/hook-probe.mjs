// Runs under valgrind (bench/instructions/hooks.ts). A compiled hitless client runs one workload;
// 100k warm-up commands and a full GC come first, so the measured window holds steady-state work.
//   gets: exactly 100 GETs per event-loop turn (the least work per command besides the client's).
//   a:    the bench's workload (a): 100 callers, each awaiting SET k v then GET k (64-byte values).
// Arguments: <compiled hitless dir> <redis port> <measured commands> <hooks> <workload: gets|a>
//            [maintNotifications mode: auto (the default; a plain redis-server declines) | disabled | omit]
// <hooks>: none | empty | N (counting hooks) | one or more of the instrumentation hooks joined by
// '+' (see bench/instrumentation-hooks.ts): metrics-otel, metrics-otel-command, metrics-producer,
// metrics-prom, tracing, tracing-batch, tracing-ratio, tracing-hook-only, logging.
const [build, port, total, mode, workload, maint] = process.argv.slice(2);
const { createClient } = await import(`${build}/src/index.js`);
// The same hook as the bench's (CountingHook in bench/hook-variants.ts, which this plain-JS probe
// cannot import): a class whose instance counts in its own fields.
class CountingHook {
  name = 'count';
  starts = 0;
  ends = 0;
  onCommandStart() {
    this.starts++;
    return undefined;
  }
  onCommandEnd() {
    this.ends++;
  }
}
let counting = [];
let hooks = [];
/** Checks, after the run, that the instrumentation hooks really recorded every command. */
let verify = async () => {};
if (mode === 'empty') hooks = [{ name: 'empty' }];
else if (/^\d+$/.test(mode)) hooks = counting = Array.from({ length: Number(mode) }, () => new CountingHook());
else if (mode !== 'none') {
  // The compiled bench/instrumentation-hooks.ts: the same configurations `npm run bench` measures.
  const { instrumentationHooks, instrumentationHookNames } = await import(`${build}/bench/instrumentation-hooks.js`);
  const made = instrumentationHooks(instrumentationHookNames(mode), await import(`${build}/instrumentation/index.js`));
  hooks = made.hooks;
  verify = made.verify;
}
// 'omit' leaves the option out, for builds from before it existed.
const maintNotifications = maint === undefined || maint === 'omit' ? undefined : { mode: maint };
const client = createClient({ url: `redis://127.0.0.1:${port}`, hooks, ...(maintNotifications && { maintNotifications }) });
await client.connect();
await client.set('k', 'v');

const gets = async (commands) => {
  for (let i = 0; i < commands; i += 100) {
    const turn = new Array(100);
    for (let j = 0; j < 100; j++) turn[j] = client.get('k');
    await Promise.all(turn);
  }
};

const VALUE = 'v'.repeat(64);
const callers = async (commands) => {
  const pairs = Math.round(commands / 200);
  const caller = async (i) => {
    const key = `probe:a:${i}`;
    for (let n = 0; n < pairs; n++) {
      await client.set(key, VALUE);
      await client.get(key);
    }
  };
  const running = [];
  for (let i = 0; i < 100; i++) running.push(caller(i));
  await Promise.all(running);
};

const run = workload === 'a' ? callers : gets;
await run(100_000);
globalThis.gc();
await run(Number(total));
await client.close();
for (const hook of counting) {
  if (hook.starts !== hook.ends || hook.starts < Number(total)) throw new Error(`a counting hook saw ${hook.starts} starts and ${hook.ends} ends of more than ${total} commands`);
}
await verify(100_000 + Number(total));
