/**
 * The decoder fuzz test at a larger scale than CI runs (default 2 000 000 cases): random and
 * mutated RESP streams fed in random-sized chunks. Fails (exit 1) if the decoder throws, reports
 * anything but a ProtocolError, or reports more than one error per stream.
 *
 *   npx tsx bench/fuzz-decoder.ts [--cases N] [--seed N]
 */
import { Decoder, ProtocolError } from '../src/protocol/index.js';
import { makeRandom, mutate, randomFrame } from '../test/helpers/fuzz.js';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

if (process.argv.includes('--help')) {
  console.log('usage: tsx bench/fuzz-decoder.ts [--cases N (default 2000000)] [--seed N (default 1)]');
  process.exit(0);
}

const cases = arg('cases', 2_000_000);
const seed = arg('seed', 1);
const rand = makeRandom(seed);
let protocolErrors = 0;
let frames = 0;
const started = Date.now();
for (let n = 0; n < cases; n++) {
  const valid = Buffer.from(randomFrame(rand) + randomFrame(rand) + randomFrame(rand));
  const input = n % 4 === 0 ? valid : mutate(rand, valid);
  const errors: unknown[] = [];
  const decoder = new Decoder({ onReply: () => frames++, onPush: () => frames++, onError: (e) => errors.push(e) });
  for (let at = 0; at < input.length; ) {
    const size = 1 + Math.floor(rand() * 16);
    decoder.feed(input.subarray(at, at + size));
    at += size;
  }
  if (errors.length > 1 || (errors.length === 1 && !(errors[0] instanceof ProtocolError))) {
    console.error(`case ${n}: unexpected errors for input ${JSON.stringify(input.toString('latin1'))}`, errors);
    process.exit(1);
  }
  protocolErrors += errors.length;
  if ((n + 1) % 250_000 === 0) console.log(`[fuzz] ${n + 1}/${cases} cases, ${protocolErrors} protocol errors, ${frames} frames`);
}
console.log(`[fuzz] done: ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, ${protocolErrors} protocol errors, ${frames} frames, no crash`);
