// Runs under valgrind (bench/instructions/hooks.ts). A compiled hitless client runs one workload;
// 100k warm-up commands and a full GC come first, so the measured window holds steady-state work.
//   gets: exactly 100 GETs per event-loop turn (the least work per command besides the client's).
//   a:    the bench's workload (a): 100 callers, each awaiting SET k v then GET k (64-byte values).
// Arguments: <compiled hitless dir> <redis port> <measured commands> <hooks: none|empty|N counting> <workload: gets|a>
const [build, port, total, mode, workload] = process.argv.slice(2);
const { createClient } = await import(`${build}/src/index.js`);
let starts = 0;
let ends = 0;
const counting = () => ({ name: 'count', onCommandStart() { starts++; }, onCommandEnd() { ends++; } });
const hooks = mode === 'none' ? [] : mode === 'empty' ? [{ name: 'empty' }] : Array.from({ length: Number(mode) }, counting);
const client = createClient({ url: `redis://127.0.0.1:${port}`, hooks });
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
if (starts !== ends) throw new Error(`hooks saw ${starts} starts and ${ends} ends`);
