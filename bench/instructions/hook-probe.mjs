// Runs under valgrind (bench/instructions/hooks.ts): a compiled hitless client issues exactly 100
// GETs per event-loop turn. 100k warm-up commands and a full GC come first, so the measured
// window holds steady-state work only.
// Arguments: <compiled hitless dir> <redis port> <measured commands> <hooks: none|empty|N counting>
const [build, port, total, mode] = process.argv.slice(2);
const { createClient } = await import(`${build}/src/index.js`);
let starts = 0;
let ends = 0;
const counting = () => ({ name: 'count', onCommandStart() { starts++; }, onCommandEnd() { ends++; } });
const hooks = mode === 'none' ? [] : mode === 'empty' ? [{ name: 'empty' }] : Array.from({ length: Number(mode) }, counting);
const client = createClient({ url: `redis://127.0.0.1:${port}`, hooks });
await client.connect();
await client.set('k', 'v');
const run = async (commands) => {
  for (let i = 0; i < commands; i += 100) {
    const turn = new Array(100);
    for (let j = 0; j < 100; j++) turn[j] = client.get('k');
    await Promise.all(turn);
  }
};
await run(100_000);
globalThis.gc();
await run(Number(total));
await client.close();
if (starts !== ends) throw new Error(`hooks saw ${starts} starts and ${ends} ends`);
