/**
 * Random RESP streams for the decoder fuzz test (and the bench script that runs more of them):
 * valid frames of every type, then mutated (bytes flipped, inserted, deleted, truncated).
 */
export function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export function randomFrame(rand: () => number, depth = 0): string {
  const pick = Math.floor(rand() * (depth > 3 ? 9 : 15));
  const word = (): string => Math.random().toString(36).slice(2, 2 + Math.floor(rand() * 8));
  const many = (f: () => string): string[] => Array.from({ length: Math.floor(rand() * 4) }, f);
  switch (pick) {
    case 0: return `+${word()}\r\n`;
    case 1: return `-ERR ${word()}\r\n`;
    case 2: return `:${Math.floor((rand() - 0.5) * 1e6)}\r\n`;
    case 3: { const w = word(); return `$${Buffer.byteLength(w)}\r\n${w}\r\n`; }
    case 4: return '_\r\n';
    case 5: return rand() < 0.5 ? '#t\r\n' : '#f\r\n';
    case 6: return [',1.5\r\n', ',inf\r\n', ',-inf\r\n', ',nan\r\n'][Math.floor(rand() * 4)]!;
    case 7: return `(${Math.floor(rand() * 1e9)}12345678901234567890\r\n`;
    case 8: { const w = `txt:${word()}`; return `=${w.length}\r\n${w}\r\n`; }
    case 9: { const items = many(() => randomFrame(rand, depth + 1)); return `*${items.length}\r\n${items.join('')}`; }
    case 10: { const items = many(() => randomFrame(rand, depth + 1)); return `~${items.length}\r\n${items.join('')}`; }
    case 11: { const items = many(() => randomFrame(rand, depth + 1) + randomFrame(rand, depth + 1)); return `%${items.length}\r\n${items.join('')}`; }
    case 12: { const items = many(() => randomFrame(rand, depth + 1)); return items.length ? `>${items.length}\r\n${items.join('')}` : '+e\r\n'; }
    case 13: return `|1\r\n+a\r\n+b\r\n${randomFrame(rand, depth + 1)}`;
    default: { const w = word(); return `!${w.length + 4}\r\nERR ${w}\r\n`; }
  }
}

export function mutate(rand: () => number, input: Buffer): Buffer {
  const bytes = Array.from(input);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits && bytes.length > 0; i++) {
    const at = Math.floor(rand() * bytes.length);
    const op = Math.floor(rand() * 4);
    const interesting = [13, 10, 0x2a, 0x24, 0x2d, 0x3e, 0x25, 0x30, 0x39, 0xff, 0];
    if (op === 0) bytes[at] = Math.floor(rand() * 256);
    else if (op === 1) bytes.splice(at, 0, interesting[Math.floor(rand() * interesting.length)]!);
    else if (op === 2) bytes.splice(at, 1);
    else bytes.length = at;
  }
  return Buffer.from(bytes);
}
